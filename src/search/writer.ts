/**
 * Writer thread: owns a second connection to the database being indexed and writes the
 * documents the parse workers send it, in large transactions, then the stem table. The
 * calling thread meanwhile only reads messages and hands them out, so it stays responsive
 * and SQLite's tokenizing (the most costly step) runs beside the parsing. Needs WAL, so
 * that the caller's reads and these writes do not block each other (sink.ts checks).
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { SearchDocument } from './document.js';
import { SEARCH_TABLES_SQL } from './schema.js';
import { docWriter, sideDocWriter, updateStems } from './write-docs.js';

export type WriterCommand =
  /**
   * `total`: the documents to expect (Infinity until a `total` command says); `side`: the file
   * is a side database of this build alone (feed.ts): created here with the search tables,
   * without journal or sync — it is copied into the database and removed, never read as is.
   */
  | { type: 'init'; file: string; total: number; side?: boolean }
  | { type: 'total'; total: number }
  | { type: 'port'; port: MessagePort }
  | { type: 'docs'; docs: SearchDocument[] };

/** `ids`: the items of the documents written since the last event (a retried one may repeat). */
export type WriterEvent =
  | { type: 'written'; count: number; ids: number[] }
  | { type: 'done'; count: number; ids: number[] }
  | { type: 'failed'; message: string };

/** Documents per transaction: bounds the documents this thread holds (build.ts bounds the rest). */
const FLUSH_DOCS = 512;
const IDLE_FLUSH_MS = 20;

let db: Database.Database | undefined;
let write: ((docs: SearchDocument[]) => number) | undefined;
/** Commits what `write` left in an open transaction (a side database's writer). */
let commit: () => void = () => undefined;
let total = 0;
let pending: SearchDocument[] = [];
/** Items written, and items received (written or pending): duplicates of a retried batch count once. */
const seen = new Set<number>();
const received = new Set<number>();
const ports: MessagePort[] = [];
let timer: NodeJS.Timeout | undefined;
let finished = false;

function post(e: WriterEvent): void {
  parentPort?.postMessage(e);
}

function flush(): void {
  clearTimeout(timer);
  timer = undefined;
  if (finished || !db || !write) {
    return;
  }
  try {
    if (pending.length > 0) {
      write(pending);
      const ids = pending.map((d) => d.itemId);
      for (const id of ids) {
        seen.add(id);
      }
      pending = [];
      post({ type: 'written', count: seen.size, ids });
    }
    if (seen.size >= total) {
      finished = true;
      commit();
      updateStems(db);
      db.close();
      for (const p of ports) {
        p.close();
      }
      post({ type: 'done', count: seen.size, ids: [] });
    }
  } catch (err) {
    finished = true;
    post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
}

function accept(docs: SearchDocument[]): void {
  pending.push(...docs);
  for (const d of docs) {
    received.add(d.itemId);
  }
  if (pending.length >= FLUSH_DOCS || received.size >= total) {
    flush();
  } else if (!timer) {
    timer = setTimeout(flush, IDLE_FLUSH_MS);
  }
}

parentPort?.on('message', (cmd: WriterCommand) => {
  switch (cmd.type) {
    case 'init':
      try {
        db = new Database(cmd.file);
        if (cmd.side) {
          db.pragma('journal_mode = OFF');
          db.pragma('synchronous = OFF');
          db.pragma('locking_mode = EXCLUSIVE');
          db.exec(SEARCH_TABLES_SQL);
          ({ write, commit } = sideDocWriter(db));
        } else {
          db.pragma('busy_timeout = 30000');
          db.pragma('synchronous = NORMAL'); // WAL: a crash may lose the last commits, never corrupt
          write = docWriter(db);
        }
        total = cmd.total;
      } catch (err) {
        finished = true;
        post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      }
      break;
    case 'port':
      ports.push(cmd.port);
      cmd.port.on('message', (m: { type: 'docs'; docs: SearchDocument[] }) => accept(m.docs));
      break;
    case 'docs':
      accept(cmd.docs);
      break;
    case 'total':
      total = cmd.total;
      if (received.size >= total) {
        flush();
      }
      break;
  }
});
