/**
 * A small pool of parse workers (worker.ts). A batch of raw messages is copied into one
 * ArrayBuffer that is transferred, not cloned. A batch that does not come back within the
 * timeout (a parser stuck on a message the pre-check let through) gets its worker
 * terminated and replaced, and the batch rejected: the caller decides what to retry.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { isCompiledCopyCurrent, withoutTsx } from '../lib/compiled.js';
import type { DocStatus, SearchDocument } from './document.js';

export interface ParseRequest {
  type: 'parse';
  batch: number;
  buffer: ArrayBuffer;
  items: { itemId: number; offset: number; length: number }[];
}

/** Commands to a parse worker: parse a batch, or send documents to this port from now on. */
export type WorkerCommand = ParseRequest | { type: 'connect'; port: MessagePort };

/** How each message of a batch was indexed. */
export interface DocSummary {
  itemId: number;
  status: DocStatus;
  reason?: string;
}

/** The answer to a batch: its summary, and its documents unless they went to the writer. */
export interface ParseResult {
  summary: DocSummary[];
  docs?: SearchDocument[];
}

export type ParseResponse = ({ batch: number } & ParseResult) | { batch: number; error: string };

export interface RawMessage {
  itemId: number;
  bytes: Uint8Array;
}

interface Pending {
  resolve: (result: ParseResult) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** This directory compiled (dist/src/search), if up to date; decided once per thread. */
let compiledDir: URL | null | undefined;
function compiledSearchDir(): URL | undefined {
  const dist = new URL('../../dist/src/search/', import.meta.url);
  compiledDir ??= isCompiledCopyCurrent(new URL('./', import.meta.url), dist, ['./']) ? dist : null;
  return compiledDir ?? undefined;
}

/**
 * V8 limits of a parse or writer thread. The young generation (where mailparser's and the
 * document transfer's short-lived strings are born) defaults to far more than these threads
 * need: capped at 16 MiB, a mount of the Enron sample peaked ~35 MiB lower for the same CPU.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16 };

/**
 * Start a worker on a module of this directory ('worker' or 'writer'). Compiled
 * (dist/…/worker.js) it is a plain worker. From source (dev, tests, benchmarks under tsx,
 * where this module's URL ends in .ts) it is the compiled copy when that is up to date (the workers import
 * nothing outside this directory; loading tsx costs each worker about half a second of CPU), else the source with tsx
 * registered first.
 */
export function startWorker(name: 'worker' | 'writer'): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const compiled = compiledSearchDir();
    if (compiled) {
      return new Worker(new URL(`./${name}.js`, compiled), {
        execArgv: withoutTsx(process.execArgv),
        resourceLimits: WORKER_LIMITS,
      });
    }
    const worker = new URL(`./${name}.ts`, import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`;
    return new Worker(boot, { eval: true, resourceLimits: WORKER_LIMITS });
  }
  return new Worker(new URL(`./${name}.js`, import.meta.url), { resourceLimits: WORKER_LIMITS });
}

export class ParsePool {
  private readonly slots: Slot[] = [];
  private nextBatch = 1;
  private closed = false;

  /**
   * @param connect  gives each new worker the port its documents go to (the writer thread),
   *                 or undefined to get them back with each answer
   */
  constructor(
    size: number,
    private readonly timeoutMs: number,
    private readonly connect: () => MessagePort | undefined = () => undefined,
  ) {
    for (let i = 0; i < Math.max(1, size); i++) {
      this.slots.push(this.spawn());
    }
  }

  get size(): number {
    return this.slots.length;
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker('worker'), pending: new Map() };
    const port = this.connect();
    if (port) {
      const cmd: WorkerCommand = { type: 'connect', port };
      slot.worker.postMessage(cmd, [port]);
    }
    slot.worker.on('message', (res: ParseResponse) => {
      const p = slot.pending.get(res.batch);
      if (!p) {
        return;
      }
      slot.pending.delete(res.batch);
      clearTimeout(p.timer);
      if ('error' in res) {
        p.reject(new Error(`parse worker failed: ${res.error}`));
      } else {
        p.resolve({ summary: res.summary, docs: res.docs });
      }
    });
    slot.worker.on('error', (err) => this.fail(slot, `parse worker crashed: ${err.message}`));
    slot.worker.on('exit', (code) => {
      if (!this.closed) {
        this.fail(slot, `parse worker exited (code ${code})`);
      }
    });
    return slot;
  }

  /** Reject everything a worker holds and replace it. */
  private fail(slot: Slot, reason: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) {
      return; // already replaced
    }
    for (const p of slot.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
    }
    slot.pending.clear();
    slot.worker.removeAllListeners();
    // a terminated worker may still report an error; nothing waits on it any more
    slot.worker.on('error', () => undefined);
    void slot.worker.terminate();
    this.slots[i] = this.spawn();
  }

  /** Parse a batch on the least busy worker. Rejects on timeout or worker failure. */
  parse(messages: RawMessage[]): Promise<ParseResult> {
    if (this.closed) {
      return Promise.reject(new Error('parse pool closed'));
    }
    const total = messages.reduce((n, m) => n + m.bytes.length, 0);
    const buffer = new ArrayBuffer(total);
    const view = new Uint8Array(buffer);
    const items: ParseRequest['items'] = [];
    let offset = 0;
    for (const m of messages) {
      view.set(m.bytes, offset);
      items.push({ itemId: m.itemId, offset, length: m.bytes.length });
      offset += m.bytes.length;
    }
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const batch = this.nextBatch++;
    return new Promise<ParseResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(slot, `parse timed out after ${this.timeoutMs} ms`);
      }, this.timeoutMs);
      slot.pending.set(batch, { resolve, reject, timer });
      const req: ParseRequest = { type: 'parse', batch, buffer, items };
      slot.worker.postMessage(req, [buffer]);
    });
  }

  /** Stop the workers; a batch still out is rejected (and its timer cleared: nothing respawns). */
  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots) {
      for (const p of slot.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error('parse pool closed'));
      }
      slot.pending.clear();
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
