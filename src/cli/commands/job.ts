import path from 'node:path';
import type { Command } from 'commander';
import { mergeDeps, openRsgCatalogue } from '../../catalogue.js';
import { type JobDocument, type JobReport, readJobFile, runJob } from '../../jobs/index.js';
import type { RsgCatalogue } from '../../rsg/index.js';
import type { Database } from '../../store/index.js';
import { type CliContext, fmtBytes, table } from '../context.js';
import { withLiveDb } from './merge.js';
import { EXIT } from '../exit-codes.js';
import { progressView } from '../progress.js';

export function describeJob(r: JobReport): string {
  const t = r.totals;
  return [
    `${r.dryRun ? 'Dry run (nothing written)' : `Job ${r.id}: ${r.state}`} — ${r.mailboxes.length} mailbox(es) from ${r.rsg}`,
    table([
      ['FROM', 'TO', 'STATE', 'CREATED', 'IDENTICAL', 'SKIPPED', 'FAILED', 'COPIED'],
      ...r.mailboxes.map((m) => [
        m.from,
        m.to,
        m.state,
        String(m.counts.created),
        String(m.counts.identical),
        String(m.counts.skipped),
        String(m.counts.failed),
        fmtBytes(m.bytesCopied),
      ]),
    ]),
    `total: created ${t.created}, recoverable ${t.recoverable}, skipped ${t.skipped}, failed ${t.failed}; ${fmtBytes(t.bytesCopied)} copied, ${fmtBytes(t.bytesShared)} shared`,
    ...(r.reportDir ? [`report: ${r.reportDir}/summary.json, summary.csv, items.csv`] : []),
  ].join('\n');
}

/** 0 done (or planned), 5 some items failed, 1 stopped or failed. */
export function jobExitCode(r: JobReport): number {
  return r.state === 'done' || r.state === 'planned'
    ? EXIT.ok
    : r.state === 'partial'
      ? EXIT.partial
      : EXIT.failure;
}

/**
 * Run a job document from the CLI: the live database opened read-only for a dry run, a
 * progress bar on a terminal (plain lines otherwise), Ctrl-C stops after the current batch.
 * `check` runs on the live database before anything else (before the source is mounted).
 */
export async function runJobCommand(
  ctx: CliContext,
  cmd: Command,
  cat: RsgCatalogue,
  doc: JobDocument,
  opts: {
    name: string;
    baseDir: string;
    dryRun?: boolean;
    resume?: boolean;
    check?: (live: Database) => void;
  },
): Promise<JobReport> {
  const view = progressView(ctx.io, !ctx.json(cmd));
  const abort = new AbortController();
  const onSigint = (): void => {
    ctx.note('stopping after the current batch (Ctrl-C again to force)…');
    abort.abort();
    process.once('SIGINT', () => process.exit(EXIT.failure));
  };
  process.once('SIGINT', onSigint);
  try {
    return await withLiveDb(ctx, cmd, opts.dryRun === true, (live) => {
      opts.check?.(live);
      let started = false;
      const run = (): Promise<JobReport> =>
        runJob({ live, catalogue: cat, merge: mergeDeps(live, cat, ctx.clock) }, doc, {
          onStarted: () => (started = true),
          name: opts.name,
          baseDir: opts.baseDir,
          dryRun: opts.dryRun,
          resume: opts.resume,
          actor: 'cli',
          signal: abort.signal,
          onLine: ctx.io.stderr.isTTY ? undefined : (l) => ctx.note(l),
          onProgress: (p) =>
            view.update(
              p.overall.done,
              p.overall.total,
              `${p.mailbox} ${p.itemsPerSecond}/s ETA ${p.etaSeconds}s`,
            ),
        });
      // a dry run changes nothing and has the live database open read-only, and a job refused
      // before it starts (JOB_INVALID, a source that cannot be mounted) writes nothing: neither
      // is audited
      return opts.dryRun
        ? run()
        : ctx.audited(
            live,
            'runJob',
            '/jobs',
            run,
            (r) => ({ id: r.id, name: r.name, state: r.state, totals: r.totals }),
            { recordFailure: () => started },
          );
    });
  } finally {
    process.off('SIGINT', onSigint);
    view.stop();
  }
}

export function registerJob(program: Command, ctx: CliContext): void {
  const job = program.command('job').description('ExMerge-style bulk merges from a job file');
  job
    .command('run <job-file>')
    .description(
      'run a job file (JSON or YAML; see samples/jobs/): exit 0 done, 5 some items failed, 1 stopped',
    )
    .option('--dry-run', 'plan every mailbox and write the report; change nothing')
    .option('--resume', 'continue the last run of this job file that was stopped or killed')
    .action(async (file: string, o: { dryRun?: boolean; resume?: boolean }, cmd: Command) => {
      const { doc } = readJobFile(file);
      const cat = openRsgCatalogue(ctx.config(cmd), ctx.clock);
      try {
        const report = await runJobCommand(ctx, cmd, cat, doc, {
          name: path.basename(file),
          baseDir: path.dirname(path.resolve(file)),
          dryRun: o.dryRun,
          resume: o.resume,
        });
        ctx.out(cmd, report, () => describeJob(report));
        process.exitCode = jobExitCode(report);
      } finally {
        cat.close();
      }
    });
}
