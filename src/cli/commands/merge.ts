import fs from 'node:fs';
import type { Command } from 'commander';
import { mergeDeps, openRsgCatalogue } from '../../catalogue.js';
import { homePaths } from '../../config.js';
import { AppError, isAppError } from '../../errors.js';
import { LIVE_EXTENSIONS } from '../../extensions.js';
import { overridesUsed } from '../../recovery/merge-service.js';
import { Database } from '../../store/index.js';
import {
  type ConflictPolicy,
  type FolderMode,
  type MergeReport,
  type MergeRequest,
  createMergeJob,
  dryRunMerge,
  loadJob,
  runMergeJob,
  toReport,
  undoMerge,
} from '../../merge/index.js';
import { type CliContext, fmtBytes, intOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { progressView } from '../progress.js';
import { parseIds } from './item.js';
import { parseAddress, parseRsgMailbox } from './mailbox.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/**
 * Run `fn` with the live database open — read-only for a dry run, so that not one byte of it
 * changes (a read-write open writes its log tail back and checkpoints). A database with log
 * records still to replay cannot be opened read-only: it is then opened as usual, which
 * repairs it.
 */
export async function withLiveDb<T>(
  ctx: CliContext,
  cmd: Command,
  readOnly: boolean,
  fn: (db: Database) => T | Promise<T>,
): Promise<T> {
  const dir = homePaths(ctx.config(cmd).home).live;
  if (!readOnly || !fs.existsSync(dir)) {
    return ctx.withDb(cmd, fn);
  }
  let db: Database;
  try {
    db = Database.open(dir, { readOnly: true, clock: ctx.clock, extensions: LIVE_EXTENSIONS });
  } catch (err) {
    if (isAppError(err) && err.code === 'LOG_CORRUPT') {
      return ctx.withDb(cmd, fn);
    }
    throw err;
  }
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

export function describeReport(r: MergeReport): string {
  const c = r.counts;
  return [
    `${r.dryRun ? 'Dry run (nothing written)' : `Merge ${r.id}: ${r.state}`} — ${r.rsg} → ${r.target}`,
    `  selected ${c.selected}: created ${c.created}, recoverable ${c.recoverable} (into the dumpster), kept both ${c.keptBoth}, updated ${c.updated}`,
    `  skipped ${c.skipped}: identical ${c.identical}, changed ${c.changed}, deleted since backup ${c.deletedSinceBackup}, purged ${c.purged}, expired ${c.expired}`,
    `  failed ${c.failed}; bytes copied ${fmtBytes(r.bytesCopied)}, shared ${fmtBytes(r.bytesShared)}`,
    ...(r.error ? [`  ${r.error}`] : []),
    ...r.failures.slice(0, 20).map((f) => `  item ${f.sourceItemId}: ${f.reason}`),
  ].join('\n');
}

/** The use of an override, audited on its own (as the REST API does). */
async function recordOverrides(
  ctx: CliContext,
  live: Database,
  id: number,
  req: MergeRequest,
): Promise<void> {
  const used = overridesUsed(req);
  if (used.length > 0) {
    await ctx.audited(
      live,
      'mergeOverride',
      `/merges/${id}`,
      () => undefined,
      () => ({ overrides: used, target: req.target, rsg: req.rsg }),
    );
  }
}

interface MergeOpts {
  rsg?: string;
  to?: string;
  item?: string[];
  folder?: string;
  mailbox?: string;
  query?: string;
  subfolders: boolean;
  includeFolder?: string[];
  excludeFolder?: string[];
  folders: string;
  conflict: string;
  dryRun?: boolean;
  overrideExpired?: boolean;
  overrideDeleted?: boolean;
  overridePurged?: boolean;
  badItemLimit: string;
  resume?: string;
  undo?: string;
  show?: string;
}

function toRequest(o: MergeOpts): MergeRequest {
  if (!o.rsg || !o.to) {
    throw new AppError('VALIDATION_FAILED', 'A merge needs --rsg and --to');
  }
  if (!['original', 'recovered'].includes(o.folders)) {
    throw new AppError('VALIDATION_FAILED', `--folders must be original or recovered, not '${o.folders}'`);
  }
  if (!['skip', 'keep-both', 'update'].includes(o.conflict)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `--conflict must be skip, keep-both or update, not '${o.conflict}'`,
    );
  }
  return {
    rsg: o.rsg,
    target: parseAddress(o.to),
    selection: {
      itemIds: o.item ? parseIds(o.item) : undefined,
      mailbox: o.mailbox ? parseRsgMailbox(o.mailbox) : undefined,
      folder: o.folder,
      subfolders: o.subfolders,
      query: o.query,
      includeFolders: o.includeFolder,
      excludeFolders: o.excludeFolder,
    },
    folders: o.folders as FolderMode,
    conflict: o.conflict as ConflictPolicy,
    overrides: {
      expired: o.overrideExpired,
      deletedSinceBackup: o.overrideDeleted,
      purged: o.overridePurged,
    },
    badItemLimit: intOption('--bad-item-limit', o.badItemLimit)!,
  };
}

/** --folders and --conflict, as merge and import take them. */
export function withMergePolicyOptions(cmd: Command): Command {
  return cmd
    .option(
      '--folders <mode>',
      'original (same path) or recovered (under Recovered Items/<label> <date>/)',
      'original',
    )
    .option(
      '--conflict <policy>',
      'for items already there: skip, keep-both or update (take the source flags)',
      'skip',
    );
}

export function registerMerge(program: Command, ctx: CliContext): void {
  const merge = program
    .command('merge')
    .description(
      'merge items of a recovery group into a live mailbox (single-instance, dumpster-aware, resumable)',
    )
    .option('--rsg <rsg-id>', 'the source recovery group')
    .option('--to <address>', 'the target live mailbox')
    .option('--item <id>', 'a source item id (repeatable)', collect)
    .option('--folder <path>', 'a source folder (with its subfolders)')
    .option('--mailbox <name>', 'the source mailbox: all of it, or the scope of --folder/--query')
    .option('--query <q>', 'the hits of a search-language query')
    .option('--no-subfolders', 'with --folder: that folder only')
    .option(
      '--include-folder <name>',
      'only these folders (paths or #inbox# #sent# #drafts# #deleted# #junk# #archive#)',
      collect,
    )
    .option('--exclude-folder <name>', 'not these folders (same names)', collect);
  withMergePolicyOptions(merge)
    .option('--override-expired', 'admin: merge source-dumpster items outside the retention window (audited)')
    .option('--override-deleted', 'admin: bring back items the user deleted after the backup (audited)')
    .option('--override-purged', 'admin: bring back items whose purge left a tombstone (audited)')
    .option('--bad-item-limit <n>', 'failures tolerated before the merge stops', '0')
    .option('--dry-run', 'plan and report, write nothing')
    .option('--resume <merge-id>', 'continue a stopped or interrupted merge')
    .option('--undo <merge-id>', 'undo a merge: what it created goes to the dumpster')
    .option('--show <merge-id>', 'print the report of a merge')
    .action(async (o: MergeOpts, cmd: Command) => {
      const config = ctx.config(cmd);
      const cat = openRsgCatalogue(config, ctx.clock);
      const view = progressView(ctx.io, !ctx.json(cmd));
      try {
        await withLiveDb(ctx, cmd, o.dryRun === true, async (live) => {
          const deps = mergeDeps(live, cat, ctx.clock);
          if (o.undo !== undefined || o.show !== undefined) {
            const id = parseIds([o.undo ?? o.show!])[0]!;
            if (o.show !== undefined) {
              const r = toReport(loadJob(live, id));
              ctx.out(cmd, { report: r, ...r }, () => describeReport(r));
              return;
            }
            const u = await ctx.audited(
              live,
              'undoMerge',
              `/merges/${id}`,
              () => undoMerge(live, id),
              (x) => ({ ...x }),
            );
            ctx.out(
              cmd,
              u,
              () =>
                `Undid merge ${id}: ${u.removed} item(s) moved to the dumpster, ${u.flagsRestored} flag change(s) reverted, ${u.touched} touched since (left alone), ${u.gone} already gone`,
            );
            return;
          }
          let report: MergeReport;
          if (o.dryRun) {
            const { items: _items, ...r } = dryRunMerge(deps, toRequest(o));
            report = r;
          } else {
            let id: number;
            if (o.resume !== undefined) {
              id = parseIds([o.resume])[0]!;
            } else {
              const req = toRequest(o);
              id = await ctx.audited(live, 'createMerge', '/merges', () => createMergeJob(deps, req, 'cli'));
              await recordOverrides(ctx, live, id, req);
            }
            const abort = new AbortController();
            const onSigint = (): void => abort.abort();
            process.once('SIGINT', onSigint);
            try {
              report = await ctx.audited(
                live,
                'applyMerge',
                `/merges/${id}`,
                () =>
                  runMergeJob(deps, id, {
                    signal: abort.signal,
                    onProgress: (p) =>
                      view.update(p.done, p.total, `${p.itemsPerSecond}/s ETA ${p.etaSeconds}s`),
                  }),
                (r) => ({
                  state: r.state,
                  counts: r.counts,
                  bytesCopied: r.bytesCopied,
                  bytesShared: r.bytesShared,
                }),
              );
            } finally {
              process.off('SIGINT', onSigint);
            }
          }
          view.stop();
          ctx.out(cmd, { report, ...report }, () => describeReport(report));
          if (report.state === 'failed' || report.state === 'stopped') {
            process.exitCode = EXIT.failure;
          } else if (report.counts.failed > 0) {
            process.exitCode = EXIT.partial;
          }
        });
      } finally {
        view.stop();
        cat.close();
      }
    });
}
