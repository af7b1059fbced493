/** What the benchmarks share: the Enron sample (read from ../shared/corpus) and medians. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = process.env.SALVAGE_CORPUS ?? path.resolve(REPO, '..', 'shared', 'corpus');
const ENRON = path.join(CORPUS, 'enron', 'enron-maildir-sample.tar.gz');
/** Where the sample is unpacked, once, for every benchmark. */
export const ENRON_CACHE = path.join(os.tmpdir(), 'salvage-bench-cache', 'enron-maildir-sample');

/** The Enron sample unpacked (the directory holding `maildir/`), kept under the OS temp dir. */
export function enronTree(): string {
  if (fs.existsSync(path.join(ENRON_CACHE, '.complete'))) {
    return ENRON_CACHE;
  }
  if (!fs.existsSync(ENRON)) {
    throw new Error(`The Enron sample is not at ${ENRON}; set SALVAGE_CORPUS to the corpus directory`);
  }
  process.stderr.write(`  bench: unpacking ${ENRON} into ${ENRON_CACHE} (once)\n`);
  const tmp = `${ENRON_CACHE}.tmp-${process.pid}`;
  fs.mkdirSync(tmp, { recursive: true });
  const r = spawnSync('tar', ['-xzf', ENRON, '-C', tmp], { stdio: 'inherit' });
  if (r.status !== 0) {
    throw new Error('tar failed');
  }
  fs.rmSync(ENRON_CACHE, { recursive: true, force: true });
  fs.renameSync(tmp, ENRON_CACHE);
  fs.writeFileSync(path.join(ENRON_CACHE, '.complete'), '');
  return ENRON_CACHE;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Build `dir` with `make` unless a previous run completed it (marker file `.complete`). */
export function cached(dir: string, make: (tmp: string) => void): string {
  if (fs.existsSync(path.join(dir, '.complete'))) {
    return dir;
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  make(tmp);
  fs.writeFileSync(path.join(tmp, '.complete'), '');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return dir;
}

/** Every message file under `root` (relative, '/'-separated, sorted), dotfiles left out. */
export function messageFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => !f.split(path.sep).some((s) => s.startsWith('.')))
    .filter((f) => fs.statSync(path.join(root, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/**
 * The first whole mailboxes of `tree` (`<user>/<folder>/<file>`), in name order, until `limit`
 * messages: hard links (not copies) under `<dir>/maildir`, built once.
 */
export function firstMailboxes(tree: string, dir: string, limit: number): string {
  const built = cached(dir, (tmp) => {
    let n = 0;
    for (const user of fs.readdirSync(tree).sort()) {
      if (n >= limit) {
        break;
      }
      for (const f of messageFiles(path.join(tree, user))) {
        fs.mkdirSync(path.dirname(path.join(tmp, 'maildir', user, f)), { recursive: true });
        fs.linkSync(path.join(tree, user, f), path.join(tmp, 'maildir', user, f));
        n += 1;
      }
    }
  });
  return path.join(built, 'maildir');
}
