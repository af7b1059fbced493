/**
 * Validation of what callers pass to `readSource` / `estimateSource`, and the source root check.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { describeFsError, errnoCode } from './common.js';
import type { ResolvedOptions, SourceKind, SourceOptions } from './types.js';

/** Default bound on one message: 50 MiB, as the live store's MAX_MESSAGE_BYTES. */
export const DEFAULT_MAX_MESSAGE_BYTES = 50 * 1024 * 1024;

const SOURCE_KINDS = ['maildir', 'eml-tree', 'mbox', 'pst'] as const satisfies readonly SourceKind[];

const OptionsSchema = z
  .object({
    mailbox: z.string().trim().min(1).max(320).optional(),
    maxMessageBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    mboxQuoting: z.enum(['mboxrd', 'mboxo']).optional(),
    blockingReads: z.boolean().optional(),
  })
  .strict();

/**
 * Check the kind, path and options a caller passed (they may come from a job file).
 * @throws VALIDATION_FAILED listing every issue
 */
export function resolveOptions(
  kind: unknown,
  sourcePath: unknown,
  opts: SourceOptions | undefined,
): ResolvedOptions {
  const errors: { where: string; path: string; message: string }[] = [];
  if (!SOURCE_KINDS.includes(kind as SourceKind)) {
    errors.push({ where: 'source', path: 'kind', message: `expected one of ${SOURCE_KINDS.join(', ')}` });
  }
  if (typeof sourcePath !== 'string' || sourcePath.length === 0 || sourcePath.includes('\0')) {
    errors.push({ where: 'source', path: 'path', message: 'expected a non-empty file system path' });
  }
  const parsed = OptionsSchema.safeParse(opts ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push({ where: 'source', path: issue.path.join('.'), message: issue.message });
    }
  }
  if (errors.length > 0 || !parsed.success) {
    const summary = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new AppError('VALIDATION_FAILED', `Invalid source options: ${summary}`, { errors });
  }
  return {
    mailbox: parsed.data.mailbox,
    maxMessageBytes: parsed.data.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    mboxQuoting: parsed.data.mboxQuoting ?? 'mboxrd',
    blockingReads: parsed.data.blockingReads ?? false,
  };
}

/**
 * stat() the source root and check it is the expected type.
 * @throws SOURCE_NOT_FOUND when nothing is there, VALIDATION_FAILED for the wrong type
 */
export async function statSource(
  kind: SourceKind,
  path: string,
  expect: 'dir' | 'file' | 'any',
): Promise<Stats> {
  let st;
  try {
    st = await fs.stat(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError('SOURCE_NOT_FOUND', `No ${kind} source at '${path}'`, { path }, { cause: err });
    }
    throw new AppError('SOURCE_CORRUPT', `Cannot read ${kind} source '${path}': ${describeFsError(err)}`, {
      path,
    });
  }
  if (expect === 'dir' && !st.isDirectory()) {
    throw new AppError('VALIDATION_FAILED', `A ${kind} source must be a directory: '${path}' is not`, {
      path,
    });
  }
  if (expect === 'file' && !st.isFile()) {
    throw new AppError('VALIDATION_FAILED', `A ${kind} source must be a file: '${path}' is not`, { path });
  }
  if (expect === 'any' && !st.isFile() && !st.isDirectory()) {
    throw new AppError('VALIDATION_FAILED', `A ${kind} source must be a file or directory: '${path}'`, {
      path,
    });
  }
  return st;
}
