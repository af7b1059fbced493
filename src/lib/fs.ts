import fs from 'node:fs';
import path from 'node:path';

/** fsync a file's data and metadata. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsync a directory so that a create, rename or unlink inside it is durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Write a file durably: temp file, fsync, rename over the target, fsync the directory. */
export function writeFileDurable(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.tmp-${process.pid}-${path.basename(file)}`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(dir);
}

/**
 * Resolve `rel` inside `root` and refuse anything that would escape it
 * (`..`, absolute paths, NUL bytes). Returns undefined when it escapes.
 */
export function resolveInside(root: string, rel: string): string | undefined {
  if (rel.includes('\0')) {
    return undefined;
  }
  const base = path.resolve(root);
  const full = path.resolve(base, rel);
  if (full !== base && !full.startsWith(base + path.sep)) {
    return undefined;
  }
  return full;
}
