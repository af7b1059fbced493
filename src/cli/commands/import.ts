/**
 * `salvage import`: a foreign dump (Maildir, a tree of .eml files, mbox, PST) into one live
 * mailbox. It is a bulk job (src/jobs) whose source is mounted as a recovery group with the
 * whole dump as one mailbox, merged into the live mailbox — so an import is single-instance,
 * dumpster-aware (a PST's Recoverable Items land in the dumpster with their deletion time),
 * resumable (`--resume`, or run it again: the default conflict policy skips what is there),
 * reported per item (`--report`) and undoable (`salvage merge --undo <merge-id>`).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { openRsgCatalogue } from '../../catalogue.js';
import { AppError, isAppError } from '../../errors.js';
import { JobDocument, type JobReport } from '../../jobs/index.js';
import type { RsgInfo } from '../../rsg/index.js';
import { findMailbox } from '../../store/index.js';
import { type CliContext, intOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { describeJob, jobExitCode, runJobCommand } from './job.js';
import { parseAddress } from './mailbox.js';
import { withMergePolicyOptions } from './merge.js';

const FORMATS = ['maildir', 'eml-tree', 'mbox', 'pst'] as const;

interface ImportOpts {
  mailbox: string;
  format: string;
  label?: string;
  folders: string;
  conflict: string;
  createMailbox?: boolean;
  badItemLimit: string;
  report?: string;
  dryRun?: boolean;
  resume?: boolean;
  unmount?: boolean;
}

/** What the mount skipped: unreadable files, garbage between mbox messages, bad PST nodes. */
function mountSummary(info: RsgInfo, unmounted: boolean) {
  return {
    rsg: info.id,
    label: info.label,
    items: info.counts.items,
    problemCount: info.report.problemCount,
    problems: info.report.problems,
    unmounted,
  };
}

function describeImport(r: JobReport, mount: ReturnType<typeof mountSummary>): string {
  const lines = [describeJob(r)];
  if (mount.problemCount > 0) {
    lines.push(`source: ${mount.problemCount} item(s) could not be read and were not imported:`);
    lines.push(...mount.problems.slice(0, 20).map((p) => `  ${p.origin}: ${p.reason}`));
  }
  lines.push(
    mount.unmounted
      ? `source recovery group ${mount.rsg} unmounted`
      : `source mounted as recovery group ${mount.rsg} (${mount.label}): browse it, or \`salvage rsg unmount ${mount.rsg}\``,
  );
  return lines.join('\n');
}

export function registerImport(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('import <path>')
    .description(
      'import a foreign dump (maildir, eml-tree, mbox, pst) into a live mailbox: mounted read-only as a recovery group, then merged (single-instance, resumable, undoable)',
    )
    .requiredOption('--mailbox <address>', 'the live mailbox to import into')
    .requiredOption('--format <kind>', `what <path> is: ${FORMATS.join('|')}`)
    .option('--label <text>', 'a name for the recovery group (default: import <file name>)');
  withMergePolicyOptions(cmd)
    .option('--create-mailbox', 'create the live mailbox when it does not exist')
    .option('--bad-item-limit <n>', 'failures tolerated before the import stops', '0')
    .option('--report <dir>', 'write summary.json, summary.csv and items.csv (one line per item) there')
    .option('--dry-run', 'plan and report; the live database is not changed')
    .option('--resume', 'continue the last run of the same import that was stopped or killed')
    .option('--unmount', 'unmount the source recovery group once everything was imported')
    .action(async (source: string, o: ImportOpts, cmd: Command) => {
      if (!(FORMATS as readonly string[]).includes(o.format)) {
        throw new AppError(
          'VALIDATION_FAILED',
          `--format must be one of ${FORMATS.join(', ')}, not '${o.format}' (a backup or a database: salvage restore, or rsg mount and merge)`,
        );
      }
      const address = parseAddress(o.mailbox);
      const parsed = JobDocument.safeParse({
        source: {
          mount: {
            source: o.format,
            path: path.resolve(source),
            label: o.label ?? `import ${path.basename(path.resolve(source))}`,
            mailbox: address,
          },
        },
        mailboxes: [{ from: address, to: address }],
        createMissingMailboxes: o.createMailbox === true,
        folders: o.folders,
        conflict: o.conflict,
        badItemLimit: intOption('--bad-item-limit', o.badItemLimit),
        ...(o.report ? { report: path.resolve(o.report) } : {}),
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const option = { folders: '--folders', conflict: '--conflict', label: '--label' }[
          String(issue?.path.at(-1))
        ];
        throw new AppError(
          'VALIDATION_FAILED',
          `${option ?? String(issue?.path.join('.'))}: ${issue?.message ?? ''}`,
        );
      }
      const cat = openRsgCatalogue(ctx.config(cmd), ctx.clock);
      try {
        let report: JobReport;
        try {
          report = await runJobCommand(ctx, cmd, cat, parsed.data, {
            name: `import ${address}`,
            baseDir: process.cwd(),
            dryRun: o.dryRun,
            resume: o.resume,
            check: (live) => {
              if (!o.createMailbox && !findMailbox(live.sql, address)) {
                throw new AppError(
                  'MAILBOX_NOT_FOUND',
                  `No live mailbox '${address}' (create it with salvage mailbox create, or pass --create-mailbox)`,
                  { mailbox: address },
                );
              }
            },
          });
        } catch (err) {
          // a source that could not be mounted leaves no failed recovery group behind
          const rsg = isAppError(err) ? err.details.rsg : undefined;
          if (typeof rsg === 'string' && cat.get(rsg).state === 'failed') {
            cat.unmount(rsg);
          }
          throw err;
        }
        const info = cat.get(report.rsg);
        const clean = report.state === 'done' && info.report.problemCount === 0;
        if (o.unmount && clean) {
          cat.unmount(report.rsg);
        }
        const mount = mountSummary(info, o.unmount === true && clean);
        ctx.out(cmd, { ...report, mount }, () => describeImport(report, mount));
        const code = jobExitCode(report);
        process.exitCode = code === EXIT.ok && info.report.problemCount > 0 ? EXIT.partial : code;
      } finally {
        cat.close();
      }
    });
}
