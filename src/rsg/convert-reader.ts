/**
 * Read a source in a worker thread (convert-worker.ts) for a conversion: batches of records,
 * messages parsed, in source order, while this thread stores the previous batches.
 */
import { Worker } from 'node:worker_threads';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.js';
import { isCompiledCopyCurrent, withoutTsx } from '../lib/compiled.js';
import type { SourceEstimate } from '../sources/index.js';
import type {
  ConvertParentMessage,
  ConvertRecord,
  ConvertWorkerData,
  ConvertWorkerMessage,
} from './convert-worker.js';

/** Batches read ahead of the consumer (each at most a few MiB plus one message). */
const READ_AHEAD_BATCHES = 4;
/** How long a worker asked to stop early may take to close its files before it is terminated. */
const STOP_GRACE_MS = 5000;

export type { ConvertRecord } from './convert-worker.js';

export interface ConvertBatch {
  records: ConvertRecord[];
  /** The message bytes the records point into. */
  buffer: Buffer;
}

/** The worker's modules under src/: what must be compiled and current to run dist's copy. */
const WORKER_MODULES = ['errors.ts', 'rsg/', 'sources/'];

/** The compiled worker (dist/src/rsg/convert-worker.js) when current; decided once per thread. */
let compiledWorker: URL | null | undefined;

function startWorker(data: ConvertWorkerData): Worker {
  if (import.meta.url.endsWith('.ts')) {
    // Running from TypeScript sources (tests, tsx): the compiled copy when it is current, else
    // the source, the worker registering tsx itself.
    const src = new URL('../', import.meta.url);
    const dist = new URL('../../dist/src/', import.meta.url);
    compiledWorker ??= isCompiledCopyCurrent(src, dist, WORKER_MODULES)
      ? new URL('rsg/convert-worker.js', dist)
      : null;
    if (compiledWorker !== null) {
      return new Worker(compiledWorker, { workerData: data, execArgv: withoutTsx(process.execArgv) });
    }
    const entry = new URL('./convert-worker.ts', import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(boot, { workerData: data, eval: true });
  }
  return new Worker(new URL('./convert-worker.js', import.meta.url), { workerData: data });
}

type Received = ConvertWorkerMessage | { t: 'exit'; reason: string };

function toError(m: ConvertWorkerMessage & { t: 'fatal' }): Error {
  if (m.code !== undefined && (ERROR_CODES as readonly string[]).includes(m.code)) {
    return new AppError(m.code as ErrorCode, m.message, m.details);
  }
  return new Error(m.message);
}

/**
 * The source's events as batches. Stopping early (`break`, an exception in the consumer) asks
 * the worker to close the source and ends it.
 *
 * `onEstimate` gets the source's estimate (`estimateSource`) once the worker has it, if ever.
 * With `reuseBuffers`, the consumer holds nothing of a batch's buffer once it asks for the next
 * batch (what it stored is copied): the buffer goes back to the worker to be filled again.
 * @throws what `readSource` throws for a source that cannot be read at all
 */
export async function* readSourceInWorker(
  data: Omit<ConvertWorkerData, 'credit'>,
  opts: { reuseBuffers?: boolean; onEstimate?: (e: SourceEstimate) => void } = {},
): AsyncGenerator<ConvertBatch> {
  const worker = startWorker({ ...data, credit: READ_AHEAD_BATCHES });
  const queue: Received[] = [];
  let wake: (() => void) | undefined;
  const push = (m: Received): void => {
    queue.push(m);
    wake?.();
  };
  worker.on('message', (m: ConvertWorkerMessage) => push(m));
  worker.on('error', (err) => push({ t: 'exit', reason: err.message }));
  worker.on('exit', (code) => push({ t: 'exit', reason: `the reader exited with code ${code}` }));
  const next = async (): Promise<Received> => {
    while (queue.length === 0) {
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return queue.shift()!;
  };
  let ended = false;
  try {
    for (;;) {
      const m = await next();
      if (m.t === 'batch') {
        yield { records: m.records, buffer: Buffer.from(m.buffer) };
        if (opts.reuseBuffers === true) {
          const back: ConvertParentMessage = { t: 'credit', n: 1, buffer: m.buffer };
          worker.postMessage(back, [m.buffer]);
        } else {
          const more: ConvertParentMessage = { t: 'credit', n: 1 };
          worker.postMessage(more);
        }
      } else if (m.t === 'estimate') {
        opts.onEstimate?.(m.estimate);
      } else if (m.t === 'done') {
        ended = true;
        return;
      } else if (m.t === 'fatal') {
        ended = true;
        throw toError(m);
      } else {
        ended = true;
        throw new AppError('INTERNAL', `The source reader stopped: ${m.reason}`);
      }
    }
  } finally {
    if (!ended) {
      const stop: ConvertParentMessage = { t: 'stop' };
      worker.postMessage(stop);
      const timer = setTimeout(() => push({ t: 'exit', reason: 'stop timed out' }), STOP_GRACE_MS);
      for (let m = await next(); m.t === 'batch' || m.t === 'estimate'; m = await next()) {
        // batches posted before the worker saw `stop` are dropped
      }
      clearTimeout(timer);
    }
    await worker.terminate();
  }
}
