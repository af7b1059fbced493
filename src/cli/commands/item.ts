import type { Command } from 'commander';
import { openRsgCatalogue } from '../../catalogue.js';
import { AppError } from '../../errors.js';
import { ItemId } from '../../schemas.js';
import { type Item, deleteItems, getMailbox, listItems } from '../../store/index.js';
import { type CliContext, fmtDate, intOption, table } from '../context.js';
import { parseAddress, parseRsgMailbox } from './mailbox.js';

export function itemView(it: Item): Record<string, unknown> {
  return {
    id: it.id,
    folder: it.folder,
    messageId: it.messageId,
    subject: it.subject,
    from: it.from,
    date: it.dateMs === null ? null : new Date(it.dateMs).toISOString(),
    received: new Date(it.internalMs).toISOString(),
    size: it.size,
    sha256: it.sha256,
    flags: it.flags,
    ...(it.deletedMs !== null ? { deleted: new Date(it.deletedMs).toISOString() } : {}),
  };
}

export function parseIds(ids: string[]): number[] {
  return ids.map((s) => {
    const r = ItemId.safeParse(s);
    if (!r.success) {
      throw new AppError('VALIDATION_FAILED', `'${s}' is not an item id`);
    }
    return r.data;
  });
}

export function printItems(
  ctx: CliContext,
  cmd: Command,
  items: Item[],
  extra: Record<string, unknown> = {},
): void {
  ctx.out(cmd, { ...extra, items: items.map(itemView), count: items.length }, () =>
    items.length === 0
      ? 'No items.'
      : table([
          ['ID', 'DATE', 'FOLDER', 'SIZE', 'SUBJECT'],
          ...items.map((i) => [
            String(i.id),
            fmtDate(i.dateMs ?? i.internalMs),
            i.folder,
            String(i.size),
            i.subject,
          ]),
        ]),
  );
}

export function registerItem(program: Command, ctx: CliContext): void {
  const item = program.command('item').description('items of a mailbox');
  item
    .command('list')
    .description('items of a live mailbox (or of a mailbox in a recovery group with --rsg), newest first')
    .requiredOption('--mailbox <address>', 'the mailbox')
    .option('--rsg <rsg-id>', 'list a mailbox of this mounted recovery group instead of the live one')
    .option('--folder <path>', 'only this folder and its subfolders')
    .option('--dumpster', 'list the dumpster instead of the live items')
    .option('--limit <n>', 'at most this many items', '100')
    .option('--all', 'every item, no limit')
    .action(
      async (
        opts: {
          mailbox: string;
          rsg?: string;
          folder?: string;
          dumpster?: boolean;
          limit: string;
          all?: boolean;
        },
        cmd: Command,
      ) => {
        const limit = opts.all ? undefined : intOption('--limit', opts.limit, 1);
        if (opts.rsg !== undefined) {
          const cat = openRsgCatalogue(ctx.config(cmd), ctx.clock);
          try {
            const g = cat.group(opts.rsg);
            const items = g.listItems(parseRsgMailbox(opts.mailbox), {
              folder: opts.folder,
              state: opts.dumpster ? 'dumpster' : 'all',
              limit,
            });
            printItems(ctx, cmd, items, { mailbox: opts.mailbox, rsg: opts.rsg });
          } finally {
            cat.close();
          }
          return;
        }
        const items = await ctx.withDb(cmd, (db) => {
          const m = getMailbox(db.sql, parseAddress(opts.mailbox));
          return listItems(db.sql, m.id, {
            folder: opts.folder,
            state: opts.dumpster ? 'dumpster' : 'live',
            limit,
          });
        });
        printItems(ctx, cmd, items, { mailbox: opts.mailbox });
      },
    );
  item
    .command('delete <ids...>')
    .description("move items to the mailbox's dumpster")
    .requiredOption('--mailbox <address>', 'the mailbox')
    .action(async (ids: string[], opts: { mailbox: string }, cmd: Command) => {
      const [a, list] = [parseAddress(opts.mailbox), parseIds(ids)];
      const r = await ctx.withAuditedDb(
        cmd,
        'deleteItem',
        `/mailboxes/${a}/items`,
        (db) => deleteItems(db, a, list),
        (x) => ({ ids: x.deleted }),
      );
      ctx.out(cmd, r, () => `Moved ${r.deleted.length} item(s) to the dumpster`);
    });
}
