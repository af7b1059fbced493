import type { Command } from 'commander';
import { listDumpster, purgeDumpster, restoreFromDumpster } from '../../dumpster/index.js';
import { AppError } from '../../errors.js';
import { type CliContext, fmtDate, table } from '../context.js';
import { itemView, parseIds } from './item.js';
import { parseAddress } from './mailbox.js';

export function registerDumpster(program: Command, ctx: CliContext): void {
  const d = program.command('dumpster').description("a live mailbox's recoverable (deleted) items");
  d.command('list')
    .description('deleted items with their deletion time, original folder and days left before purge')
    .requiredOption('--mailbox <address>', 'the mailbox')
    .action(async (opts: { mailbox: string }, cmd: Command) => {
      const items = await ctx.withDb(cmd, (db) => listDumpster(db, parseAddress(opts.mailbox)));
      ctx.out(
        cmd,
        {
          mailbox: opts.mailbox,
          items: items.map((i) => ({
            ...itemView(i),
            deleted: new Date(i.deletedMs).toISOString(),
            purgeAt: i.purgeAtMs === null ? null : new Date(i.purgeAtMs).toISOString(),
            daysLeft: i.daysLeft,
          })),
          count: items.length,
        },
        () =>
          items.length === 0
            ? 'The dumpster is empty.'
            : table([
                ['ID', 'DELETED', 'DAYS LEFT', 'FOLDER', 'SUBJECT'],
                ...items.map((i) => [
                  String(i.id),
                  fmtDate(i.deletedMs),
                  i.daysLeft === null ? 'hold' : String(i.daysLeft),
                  i.folder,
                  i.subject,
                ]),
              ]),
      );
    });
  d.command('restore <ids...>')
    .description('put dumpster items back into the folder they were deleted from (recreated if gone)')
    .requiredOption('--mailbox <address>', 'the mailbox')
    .action(async (ids: string[], opts: { mailbox: string }, cmd: Command) => {
      const [a, list] = [parseAddress(opts.mailbox), parseIds(ids)];
      const r = await ctx.withAuditedDb(
        cmd,
        'restoreDumpsterItem',
        `/mailboxes/${a}/dumpster`,
        (db) => restoreFromDumpster(db, a, list),
        (x) => ({ restored: x.restored }),
      );
      ctx.out(cmd, r, () => r.restored.map((x) => `Restored item ${x.id} to ${x.folder}`).join('\n'));
    });
  d.command('purge [ids...]')
    .description('remove dumpster items past the retention window (or the named items now); never on hold')
    .option('--mailbox <address>', 'only this mailbox (default: every mailbox)')
    .action(async (ids: string[], opts: { mailbox?: string }, cmd: Command) => {
      if (ids.length > 0 && !opts.mailbox) {
        throw new AppError('VALIDATION_FAILED', 'Purging named items needs --mailbox');
      }
      const sel = {
        address: opts.mailbox ? parseAddress(opts.mailbox) : undefined,
        ids: ids.length > 0 ? parseIds(ids) : undefined,
      };
      const r = await ctx.withAuditedDb(
        cmd,
        'purgeDumpster',
        sel.address ? `/mailboxes/${sel.address}/dumpster` : '/mailboxes',
        (db) => purgeDumpster(db, sel),
        (x) => ({
          ids: sel.ids ?? null,
          purged: x.purged,
          bytesReleased: x.bytesReleased,
          onHold: x.onHold,
        }),
      );
      ctx.out(cmd, r, () =>
        [
          `Purged ${r.purged} item(s), ${r.bytesReleased} bytes`,
          ...r.onHold.map((a) => `  ${a} is on hold: not purged`),
        ].join('\n'),
      );
    });
}
