/**
 * Validation of what callers pass to `readSource` / `estimateSource` (zod: kept out of read.ts,
 * which a conversion's reader thread loads).
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
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
