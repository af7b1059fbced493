/**
 * Files of a backup part: copied durably, each with the sha256 of its bytes (backup.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

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

/**
 * Copy `from` to `to` durably and return the sha256 and size of what was copied, hashed from
 * `from` — which must not change meanwhile (a held snapshot, an immutable blob, a closed log
 * segment). The hash is computed while the kernel writes the copy out: an asynchronous fsync
 * starts the writeback, and the copy is durable when the fsync on a descriptor opened before it
 * returns (on Linux a writeback error is reported on every description open when it happened).
 */
export function copyHashed(from: string, to: string): { sha256: string; bytes: number } {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const fd = fs.openSync(to, 'w');
  try {
    fs.copyFileSync(from, to);
    const early = fs.openSync(to, 'r+');
    // its result does not matter: the fsyncSync below is the one that acknowledges the copy
    fs.fsync(early, () => fs.close(early, () => undefined));
    const hashed = digestFile(from);
    fs.fsyncSync(fd);
    const bytes = fs.fstatSync(fd).size;
    if (bytes !== hashed.bytes) {
      // the copy did not land in the file `fd` names, or the source changed meanwhile
      throw new AppError('INTERNAL', `Copying ${from} gave ${bytes} bytes of ${hashed.bytes}`);
    }
    return hashed;
  } finally {
    fs.closeSync(fd);
  }
}

/** sha256 and size of a file, read in 1 MiB chunks (reading a large file whole is several times slower). */
export function digestFile(file: string): { sha256: string; bytes: number } {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1024 * 1024);
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
