/**
 * Files of a backup part: copied durably, each with the sha256 of its bytes (backup.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import { fsyncFile } from '../lib/fs.js';

export function copyDurable(from: string, to: string): number {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  fsyncFile(to);
  return fs.statSync(to).size;
}

/** A file of a backup part: its path in the part, sha256 and size. */
export interface PartFile {
  rel: string;
  sha256: string;
  bytes: number;
}

/** Files at least this large get their writeback started early (see copyHashed). */
const EARLY_SYNC_MIN_BYTES = 1024 * 1024;
/**
 * At most this many early fsyncs outstanding: each holds a descriptor and a thread of libuv's
 * pool until its callback runs, which is only once the (synchronous) backup has returned.
 */
const EARLY_SYNC_MAX = 8;
let earlySyncs = 0;

/**
 * Start writing `file` out without waiting: an fsync on the thread pool, whose result does not
 * matter (the caller's own fsync acknowledges the copy). False when not worth it or too many.
 */
function startWriteback(file: string, bytes: number): boolean {
  if (bytes < EARLY_SYNC_MIN_BYTES || earlySyncs >= EARLY_SYNC_MAX) {
    return false;
  }
  const fd = fs.openSync(file, 'r+');
  earlySyncs += 1;
  fs.fsync(fd, () =>
    fs.close(fd, () => {
      earlySyncs -= 1;
    }),
  );
  return true;
}

/**
 * Copy `from` to `to` durably and return the sha256 and size of what was copied, hashed from
 * `from` — which must not change meanwhile (a held snapshot, an immutable blob, a closed log
 * segment). For a large file the hash is computed while the kernel writes the copy out (an
 * early fsync started it); the copy is durable when the fsync on a descriptor opened before it
 * returns (Linux reports a writeback error on every description open when it happened).
 */
export function copyHashed(from: string, to: string): { sha256: string; bytes: number } {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const fd = fs.openSync(to, 'w');
  try {
    fs.copyFileSync(from, to);
    const copied = fs.fstatSync(fd).size;
    startWriteback(to, copied);
    const hashed = digestFile(from);
    fs.fsyncSync(fd);
    if (copied !== hashed.bytes) {
      // the copy did not land in the file `fd` names, or the source changed meanwhile
      throw new AppError('INTERNAL', `Copying ${from} gave ${copied} bytes of ${hashed.bytes}`);
    }
    return hashed;
  } finally {
    fs.closeSync(fd);
  }
}

let chunk: Buffer | undefined;

/** sha256 and size of a file, read in 1 MiB chunks (reading a large file whole is several times slower). */
export function digestFile(file: string): { sha256: string; bytes: number } {
  const h = createHash('sha256');
  const buf = (chunk ??= Buffer.allocUnsafe(1024 * 1024)); // synchronous: one buffer serves every call
  const fd = fs.openSync(file, 'r');
  let bytes = 0;
  try {
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) {
      h.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: h.digest('hex'), bytes };
}

export const hashFile = (file: string): string => digestFile(file).sha256;
