import path from 'node:path';
import type { Command } from 'commander';
import { mergeDeps, openRsgCatalogue } from '../../catalogue.js';
import { type JobReport, readJobFile, runJob } from '../../jobs/index.js';
import { type CliContext, fmtBytes, table } from '../context.js';
import { withLiveDb } from './merge.js';
import { EXIT } from '../exit-codes.js';
import { progressView } from '../progress.js';

function describeJob(r: JobReport): string {
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
      const view = progressView(ctx.io, !ctx.json(cmd));
      const abort = new AbortController();
      const onSigint = (): void => {
        ctx.note('stopping after the current batch (Ctrl-C again to force)…');
        abort.abort();
        process.once('SIGINT', () => process.exit(EXIT.failure));
      };
      process.once('SIGINT', onSigint);
      try {
        const report = await withLiveDb(ctx, cmd, o.dryRun === true, (live) =>
          runJob({ live, catalogue: cat, merge: mergeDeps(live, cat, ctx.clock) }, doc, {
            name: path.basename(file),
            baseDir: path.dirname(path.resolve(file)),
            dryRun: o.dryRun,
            resume: o.resume,
            actor: 'cli',
            signal: abort.signal,
            onLine: ctx.io.stderr.isTTY ? undefined : (l) => ctx.note(l),
            onProgress: (p) =>
              view.update(
                p.overall.done,
                p.overall.total,
                `${p.mailbox} ${p.itemsPerSecond}/s ETA ${p.etaSeconds}s`,
              ),
          }),
        );
        view.stop();
        ctx.out(cmd, report, () => describeJob(report));
        process.exitCode =
          report.state === 'done' || report.state === 'planned'
            ? EXIT.ok
            : report.state === 'partial'
              ? EXIT.partial
              : EXIT.failure;
      } finally {
        process.off('SIGINT', onSigint);
        view.stop();
        cat.close();
      }
    });
}
