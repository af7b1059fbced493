import type { Command } from 'commander';
import { checkDatabase, stats } from '../../store/index.js';
import { LIVE_EXTENSIONS } from '../../extensions.js';
import { homePaths } from '../../config.js';
import { type CliContext, fmtBytes } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerDb(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('database statistics and integrity');
  db.command('stats')
    .description('mailboxes, items, blobs, logical and physical bytes, single-instance ratio')
    .option('--db <dir>', 'a database directory (default: the live database)')
    .action(async (opts: { db?: string }, cmd: Command) => {
      const s = await ctx.withDb(cmd, (d) => stats(d), opts.db);
      ctx.out(cmd, s, () =>
        [
          `mailboxes      ${s.mailboxes}`,
          `items          ${s.items} (+${s.dumpsterItems} in dumpsters)`,
          `blobs          ${s.blobs} (${s.inlineBlobs} inline, ${s.fileBlobs} files)`,
          `logical bytes  ${s.logicalBytes} (${fmtBytes(s.logicalBytes)})`,
          `physical bytes ${s.physicalBytes} (${fmtBytes(s.physicalBytes)})`,
          `ratio          ${s.ratio}`,
          `tombstones     ${s.tombstones}`,
          `applied LSN    ${s.appliedLsn}`,
        ].join('\n'),
      );
    });
  db.command('check')
    .description('verify log checksums, blob hashes and refcounts; exit 1 when a problem is found')
    .option('--db <dir>', 'a database directory (default: the live database)')
    .action((opts: { db?: string }, cmd: Command) => {
      const dir = opts.db ?? homePaths(ctx.config(cmd).home).live;
      const r = checkDatabase(dir, { clock: ctx.clock, extensions: LIVE_EXTENSIONS });
      ctx.out(cmd, r, () =>
        [
          r.ok ? `OK: ${dir}` : `PROBLEMS in ${dir}:`,
          ...r.problems.map((p) => `  ${p.kind}: ${p.message}`),
          ...r.notices.map((n) => `  note: ${n}`),
          `  ${r.logSegments} log segments, ${r.logRecords} records, ${r.blobs} blobs, ${r.items} items`,
        ].join('\n'),
      );
      if (!r.ok) {
        process.exitCode = EXIT.failure;
      }
    });
}
