// Shared helpers of the recovery-group tests (not a test file: the runner only picks *.test.ts).
// It does not import test/helpers/index.ts, which loads the whole CLI (seconds per test file).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../src/lib/clock.js';
import { type MountRequest, type RecoveryGroup, RsgCatalogue, type RsgInfo } from '../../src/rsg/index.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/store/index.js';
import { T0 } from '../helpers/messages.js';

export { expectAppError } from '../helpers/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** test/fixtures/sources (shared with the source reader tests) and test/fixtures/rsg, read-only. */
export const SOURCES = path.join(FIXTURES, 'sources');
export const RSG_FIXTURES = path.join(FIXTURES, 'rsg');
export const OUTLOOK_PST = path.join(SOURCES, 'pst', 'aspose-java__Outlook.pst');

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A fresh directory under the OS temp dir, removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'salvage-rsg-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function aClock(ms = T0): ManualClock {
  return new ManualClock(ms);
}

/**
 * A catalogue in a temp dir, without a search indexer (these tests do not search), closed when
 * the test ends.
 */
export function aCatalogue(
  t: TestContext,
  root = path.join(tempDir(t, 'salvage-rsg-'), 'rsg'),
): RsgCatalogue {
  const cat = new RsgCatalogue(root, { clock: aClock(), maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES });
  t.after(() => cat.close());
  return cat;
}

/** Mount and insist that it worked (the failure reason is the assertion message otherwise). */
export async function mountOk(cat: RsgCatalogue, req: MountRequest): Promise<RsgInfo> {
  const info = await cat.mount(req);
  assert.equal(info.state, 'mounted', `mount failed: ${info.error?.code}: ${info.error?.message}`);
  return info;
}

/** Copy trees (fixtures) side by side into a fresh temp dir: `{ name: source }` → `<tmp>/<name>`. */
export function copyTrees(t: TestContext, trees: Record<string, string>): string {
  const root = path.join(tempDir(t, 'salvage-rsg-src-'), 'source');
  for (const [name, from] of Object.entries(trees)) {
    fs.cpSync(from, path.join(root, name), { recursive: true });
  }
  return root;
}

/**
 * Every entry under `root` (directories too): sha256, size, mtime and ctime of files (ctime
 * moves on any metadata change, even one that restores the mtime), the kind of anything else.
 */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const rel = path.relative(root, p);
      const st = fs.lstatSync(p);
      if (e.isDirectory()) {
        out.set(rel + '/', `dir ${st.mtimeMs} ${st.ctimeMs}`);
        walk(p);
      } else if (e.isFile()) {
        out.set(rel, `${sha256(fs.readFileSync(p))} ${st.size} ${st.mtimeMs} ${st.ctimeMs}`);
      } else {
        out.set(rel, `${e.isSymbolicLink() ? `link ${fs.readlinkSync(p)}` : 'special'} ${st.mtimeMs}`);
      }
    }
  };
  walk(root);
  return out;
}

/** 'path [role] n' for each folder of a mailbox, in path order. */
export function folderTree(g: RecoveryGroup, mailbox: string): string[] {
  return g.listFolders(mailbox).map((f) => `${f.path}${f.role ? ` [${f.role}]` : ''} ${f.items}`);
}

/** mailbox → item count (live + dumpster). */
export function mailboxCounts(g: RecoveryGroup): Record<string, number> {
  return Object.fromEntries(g.listMailboxes().map((m) => [m.address, m.items + m.dumpsterItems]));
}

/**
 * Check every item of every mailbox against the file it came from (its origin is
 * `source:<path relative to the source root>`): the bytes read back, the item's sha256 and
 * the file's sha256 all agree. Returns the number of items checked.
 */
export function assertByteExact(g: RecoveryGroup, sourceRoot: string): number {
  let n = 0;
  for (const m of g.listMailboxes()) {
    for (const it of g.listItems(m.address)) {
      const rel = it.origin?.replace(/^source:/, '');
      assert.ok(rel, `item ${it.id} has an origin`);
      const original = fs.readFileSync(path.join(sourceRoot, rel));
      const bytes = g.readItemBytes(it.id);
      assert.equal(it.sha256, sha256(original), `sha256 of ${rel}`);
      assert.ok(bytes.equals(original), `bytes of ${rel}`);
      assert.equal(it.size, original.length, `size of ${rel}`);
      n += 1;
    }
  }
  return n;
}

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.lstatSync(path.join(dir, f)).isFile())
    .sort();
}
