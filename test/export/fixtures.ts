/**
 * Shared helpers for the export tests: the fixture messages as ExportItems, an item source
 * that records what was pulled and whether it was closed, and a Python oracle runner.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { simpleParser } from 'mailparser';
import type { ExportItem } from '../../src/export/index.js';
import { sha256Hex } from '../../src/lib/hash.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/export/', import.meta.url));

export interface Fixture {
  /** Path under test/fixtures/export, '/'-separated. */
  name: string;
  bytes: Buffer;
  item: ExportItem;
}

/** An item over `bytes` with every other field defaulted; state only what matters. */
export function anItem(bytes: Buffer, over: Partial<ExportItem> = {}): ExportItem {
  return {
    folderPath: 'inbox',
    from: 'Someone <someone@example.com>',
    subject: 'A message',
    sha256: sha256Hex(bytes),
    bytes: () => Promise.resolve(bytes),
    ...over,
  };
}

function listFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? listFiles(dir, path.posix.join(rel, e.name)) : [path.posix.join(rel, e.name)],
    )
    .sort();
}

let cached: Promise<Fixture[]> | undefined;

/** Every fixture message, in a stable order; the folder path is the fixture's directory. */
export function loadFixtures(): Promise<Fixture[]> {
  cached ??= Promise.all(
    listFiles(FIXTURE_DIR).map(async (name) => {
      const bytes = fs.readFileSync(path.join(FIXTURE_DIR, name));
      const parsed = await simpleParser(bytes);
      const item = anItem(bytes, {
        folderPath: path.posix.dirname(name),
        from: parsed.from?.text ?? '',
        subject: parsed.subject ?? '',
        ...(parsed.date ? { date: parsed.date } : {}),
        ...(parsed.messageId ? { messageId: parsed.messageId.replace(/^<|>$/g, '') } : {}),
      });
      return { name, bytes, item };
    }),
  );
  return cached;
}

/** An item source that counts what was pulled and loaded, and notices being closed early. */
export class RecordingSource implements AsyncIterable<ExportItem> {
  pulled = 0;
  loaded = 0;
  closed = false;
  constructor(private readonly make: (i: number) => ExportItem | undefined) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<ExportItem> {
    try {
      for (let i = 0; ; i++) {
        const item = await Promise.resolve(this.make(i)); // as a real cursor would
        if (!item) {
          return;
        }
        this.pulled++;
        yield {
          ...item,
          bytes: () => {
            this.loaded++;
            return item.bytes();
          },
        };
      }
    } finally {
      this.closed = true;
    }
  }
}

/** A source over a fixed list. */
export function sourceOf(items: ExportItem[]): RecordingSource {
  return new RecordingSource((i) => items[i]);
}

/** A fresh temp directory, removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-export-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Run a Python 3 script (the independent oracle) with arguments; returns its stdout parsed as JSON. */
export function python<T>(script: string, ...args: string[]): T {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as T;
}

/** What bytes a mail reader gets back from an mbox: the message plus '\n' when it lacked one. */
export function withFinalNewline(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === 0x0a
    ? bytes
    : Buffer.concat([bytes, Buffer.from('\n')]);
}
