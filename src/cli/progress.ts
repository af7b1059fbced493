/** Progress display for long work: a bar on a terminal (stderr), nothing otherwise. */
import cliProgress from 'cli-progress';
import type { CliIo } from './context.js';

export interface ProgressView {
  update(done: number, total: number | undefined, text: string): void;
  stop(): void;
}

export function progressView(io: CliIo, enabled = true): ProgressView {
  if (!enabled || !io.stderr.isTTY) {
    return { update: () => undefined, stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: '{bar} {percentage}% | {value}/{total} | {text}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, text) {
      if (!started) {
        bar.start(total ?? done, done, { text });
        started = true;
      }
      bar.setTotal(Math.max(total ?? done, done));
      bar.update(done, { text });
    },
    stop() {
      if (started) {
        bar.stop();
      }
    },
  };
}
