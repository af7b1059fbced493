/**
 * Worker-thread entry of the PST reader (started by pst.ts). pst-extractor is synchronous and
 * can spin or allocate without end on a corrupt file; in a worker it cannot freeze the
 * service's event loop, the parent can stop it and restart past the bad spot, and its
 * process-global named-property map and console chatter stay here.
 *
 * Messages to the parent: `at` (position, before each risky call), `event`, `done`,
 * `fatal` (an error that ends the walk). From the parent: `credit` (how many more events it
 * will take: flow control, so a slow consumer bounds the memory held in messages).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { walkPst, type ResumePlan, type WalkPosition } from './pst-walk.js';
import type { ResolvedOptions, SourceEvent } from './types.js';

/** The data the parent starts the worker with. */
export interface PstWorkerData {
  file: string;
  opts: ResolvedOptions;
  resume: ResumePlan;
  credit: number;
}

/** What the worker posts. */
export type PstWorkerMessage =
  | { t: 'at'; pos: WalkPosition }
  | { t: 'event'; event: SourceEvent }
  | { t: 'done' }
  | { t: 'fatal'; code: 'SOURCE_CORRUPT' | 'INTERNAL'; message: string };

const port = parentPort;
if (port !== null) {
  // pst-extractor reports skipped items on the console; the walk reports them as problems.
  for (const name of ['log', 'error', 'warn', 'info', 'debug'] as const) {
    console[name] = () => undefined;
  }
  const data = workerData as PstWorkerData;
  let credit = data.credit;
  let wake: (() => void) | undefined;
  port.on('message', (m: { t: 'credit'; n: number }) => {
    credit += m.n;
    wake?.();
  });
  const post = (m: PstWorkerMessage): void => port.postMessage(m);
  const sink = {
    at: (pos: WalkPosition) => post({ t: 'at', pos }),
    emit: async (event: SourceEvent) => {
      while (credit <= 0) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      credit -= 1;
      post({ t: 'event', event });
    },
  };
  walkPst(data.file, data.opts, data.resume, sink).then(
    () => post({ t: 'done' }),
    (err: unknown) =>
      post({
        t: 'fatal',
        code: err instanceof AppError && err.code === 'SOURCE_CORRUPT' ? 'SOURCE_CORRUPT' : 'INTERNAL',
        message: err instanceof Error ? err.message : String(err),
      }),
  );
}
