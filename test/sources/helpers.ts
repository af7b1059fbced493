// Shared helpers of the sources tests (not a test file: the runner only picks *.test.ts).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SourceEvent, SourceFolder, SourceMessage } from '../../src/sources/index.js';

/** test/fixtures/sources, read-only. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/sources/', import.meta.url));

export function fixture(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A temp dir removed after the test. */
export function tempDir(t: TestContext, prefix = 'salvage-sources-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Collected {
  events: SourceEvent[];
  folders: SourceFolder[];
  messages: SourceMessage[];
  problems: { origin: string; reason: string }[];
}

/**
 * Drain a source and check the invariants every reader keeps: a message's folder was
 * announced before it, and every message looks like RFC 5322.
 */
export async function collect(source: AsyncIterable<SourceEvent>): Promise<Collected> {
  const out: Collected = { events: [], folders: [], messages: [], problems: [] };
  const announced = new Set<string>();
  for await (const ev of source) {
    out.events.push(ev);
    if (ev.kind === 'folder') {
      out.folders.push(ev.folder);
      announced.add(`${ev.folder.mailbox}\0${ev.folder.path}`);
    } else if (ev.kind === 'message') {
      const m = ev.message;
      assert.ok(announced.has(`${m.mailbox}\0${m.folderPath}`), `folder of ${m.origin} announced first`);
      assert.match(
        m.bytes.toString('latin1', 0, 2000),
        /^[\x21-\x39\x3b-\x7e]+[ \t]*:/m,
        `${m.origin} has a header`,
      );
      out.messages.push(m);
    } else {
      out.problems.push({ origin: ev.origin, reason: ev.reason });
    }
  }
  return out;
}

/** 'mailbox:path [role]' for each folder, in order. */
export function folderList(c: Collected): string[] {
  return c.folders.map((f) => `${f.mailbox}:${f.path}${f.role ? ` [${f.role}]` : ''}`);
}

/** Number of messages per 'mailbox:folder'. */
export function countsByFolder(c: Collected): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of c.messages) {
    const key = `${m.mailbox}:${m.folderPath}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Every regular file under `root`: its sha256, size, mtime and ctime (ctime moves on any metadata change). */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (e.isFile()) {
        const st = fs.statSync(p);
        out.set(
          path.relative(root, p),
          `${sha256(fs.readFileSync(p))} ${st.size} ${st.mtimeMs} ${st.ctimeMs}`,
        );
      }
    }
  };
  walk(root);
  return out;
}

/** Copy a fixture tree into a temp dir (to add broken entries next to real ones). */
export function copyFixture(t: TestContext, ...parts: string[]): string {
  const dest = path.join(tempDir(t), path.basename(parts[parts.length - 1] ?? 'copy'));
  fs.cpSync(fixture(...parts), dest, { recursive: true });
  return dest;
}

/** Number of open file descriptors of this process (Linux). */
export function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}
