/**
 * Reading and estimating a source whose options are already checked (`resolveSourceOptions` in
 * index.ts): `readSource` and `estimateSource` without zod, for a conversion's reader thread,
 * where loading zod cost ~0.2 s of CPU per mount on this machine. Everything else goes through
 * index.ts.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { AppError } from '../errors.js';
import { describeFsError, errnoCode } from './common.js';
import { planEmlTree } from './eml-tree.js';
import { planMaildir } from './maildir.js';
import { listMboxFiles, readMbox } from './mbox.js';
import { checkPstHeader, readPst } from './pst.js';
import { estimatePlan, readPlan } from './tree.js';
import type { ResolvedOptions, SourceEstimate, SourceEvent, SourceKind } from './types.js';

/**
 * `readSource` (index.ts) with options already resolved (or resolved once iterated, for
 * `readSource` itself: a `yield*` of one generator through another made an mbox stream's
 * RSS grow ~15 MB more): the same events and errors.
 * @throws SOURCE_NOT_FOUND, SOURCE_CORRUPT, VALIDATION_FAILED as `readSource`
 */
export async function* readResolvedSource(
  kind: SourceKind,
  path: string,
  options: ResolvedOptions | (() => ResolvedOptions),
): AsyncGenerator<SourceEvent> {
  const o = typeof options === 'function' ? options() : options;
  switch (kind) {
    case 'maildir':
      await statSource(kind, path, 'dir');
      yield* readPlan(planMaildir(path, o.mailbox), o.maxMessageBytes, o.blockingReads);
      return;
    case 'eml-tree':
      await statSource(kind, path, 'dir');
      yield* readPlan(planEmlTree(path, o.mailbox), o.maxMessageBytes, o.blockingReads);
      return;
    case 'mbox': {
      const st = await statSource(kind, path, 'any');
      yield* readMbox(path, st.isDirectory(), o);
      return;
    }
    case 'pst':
      await statSource(kind, path, 'file');
      yield* readPst(path, o);
      return;
  }
}

/**
 * `estimateSource` (index.ts) with options already resolved: the same estimate and errors.
 * @throws SOURCE_NOT_FOUND, SOURCE_CORRUPT, VALIDATION_FAILED as `estimateSource`
 */
export async function estimateResolvedSource(
  kind: SourceKind,
  path: string,
  o: ResolvedOptions,
): Promise<SourceEstimate> {
  switch (kind) {
    case 'maildir':
      await statSource(kind, path, 'dir');
      return estimatePlan(planMaildir(path, o.mailbox), o.blockingReads);
    case 'eml-tree':
      await statSource(kind, path, 'dir');
      return estimatePlan(planEmlTree(path, o.mailbox), o.blockingReads);
    case 'mbox': {
      const st = await statSource(kind, path, 'any');
      if (!st.isDirectory()) {
        return { bytes: st.size };
      }
      const { files } = await listMboxFiles(path);
      const sizes = await Promise.all(
        files.map((f) =>
          fs.stat(f.abs).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      );
      return { bytes: sizes.reduce((a, b) => a + b, 0) };
    }
    case 'pst': {
      await statSource(kind, path, 'file');
      const { size } = await checkPstHeader(path);
      return { bytes: size };
    }
  }
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
