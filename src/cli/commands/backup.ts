import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { LIVE_EXTENSIONS } from '../../extensions.js';
import { type RestorePoint, backupFull, backupIncremental, restoreBackup } from '../../store/index.js';
import { type CliContext, fmtBytes } from '../context.js';

/** `--until`: an LSN (digits) or an ISO time. @throws VALIDATION_FAILED */
export function parseRestorePoint(v: string | undefined): RestorePoint | undefined {
  if (v === undefined) {
    return undefined;
  }
  if (/^\d+$/.test(v)) {
    return { lsn: Number(v) };
  }
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(ms)) {
    throw new AppError('VALIDATION_FAILED', `--until takes an LSN or an ISO time, not '${v}'`);
  }
  return { timeMs: ms };
}

export function registerBackup(program: Command, ctx: CliContext): void {
  const b = program.command('backup').description('online backups of the live database');
  for (const kind of ['full', 'incremental'] as const) {
    b.command(`${kind} <backup-dir>`)
      .description(
        kind === 'full'
          ? 'snapshot + referenced blobs + manifest into a new directory; then purge the log segments it covers'
          : 'roll the log and add the segments since the last backup to the set',
      )
      .option('--keep-logs', 'do not purge the log segments the backup covers')
      .action(async (dir: string, opts: { keepLogs?: boolean }, cmd: Command) => {
        const r = await ctx.withDb(cmd, (db) =>
          kind === 'full' ? backupFull(db, dir, opts) : backupIncremental(db, dir, opts),
        );
        ctx.out(
          cmd,
          r,
          () =>
            `${kind === 'full' ? 'Full' : 'Incremental'} backup ${r.part}: LSN ${r.fromLsn}..${r.toLsn}, ${r.files} files, ${fmtBytes(r.bytes)} in ${r.ms} ms` +
            (r.purgedSegments.length > 0 ? `; purged ${r.purgedSegments.length} log segment(s)` : '') +
            (r.logsKept ? `\nnote: ${r.logsKept}` : ''),
        );
      });
  }
  program
    .command('restore <backup-dir> <target-dir>')
    .description('verify a backup set and restore it into a new database directory, replaying its logs')
    .option('--until <time|lsn>', 'stop at this ISO time or LSN (point-in-time restore)')
    .action((dir: string, target: string, opts: { until?: string }, cmd: Command) => {
      const r = restoreBackup(dir, target, {
        until: parseRestorePoint(opts.until),
        clock: ctx.clock,
        extensions: LIVE_EXTENSIONS,
      });
      ctx.out(
        cmd,
        r,
        () =>
          `Restored ${r.parts.length} part(s) into ${r.dir}: snapshot LSN ${r.snapshotLsn}, ${r.replayed} records replayed, now at LSN ${r.lsn}`,
      );
    });
}
