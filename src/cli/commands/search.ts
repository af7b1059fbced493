import type { Command } from 'commander';
import { openRsgCatalogue, searchRsg } from '../../catalogue.js';
import { type CliContext, intOption, table } from '../context.js';
import { parseRsgMailbox } from './mailbox.js';

export function registerSearch(program: Command, ctx: CliContext): void {
  program
    .command('search <query>')
    .description(
      'search a recovery group with the query language (see README: Search); each hit says where it stands in the live mailbox',
    )
    .requiredOption('--rsg <rsg-id>', 'the recovery group')
    .option('--mailbox <name>', 'only this mailbox of the RSG')
    .option('--limit <n>', 'hits per page (at most 1000)', '50')
    .option('--all', 'every hit, no paging')
    .option('--sort <order>', 'relevance or date', 'relevance')
    .option('--cursor <c>', 'the nextCursor of the previous page')
    .action(
      async (
        query: string,
        o: { rsg: string; mailbox?: string; limit: string; all?: boolean; sort: string; cursor?: string },
        cmd: Command,
      ) => {
        const cat = openRsgCatalogue(ctx.config(cmd), ctx.clock);
        try {
          const opts = {
            mailbox: o.mailbox ? parseRsgMailbox(o.mailbox) : undefined,
            limit: intOption('--limit', o.limit, 1),
            all: o.all === true,
            sort: o.sort === 'date' ? ('date' as const) : ('relevance' as const),
            cursor: o.cursor,
          };
          const r = await ctx.withAuditedDb(
            cmd,
            'searchRecoveryGroup',
            `/recovery-groups/${o.rsg}/search`,
            (live) => searchRsg(live, cat.group(o.rsg), query, opts),
            (x) => ({ q: query, mailbox: opts.mailbox ?? null, total: x.total }),
          );
          ctx.out(cmd, r, () =>
            [
              `${r.total} hit(s)${r.nextCursor ? ` (more: --cursor ${r.nextCursor})` : ''}`,
              table([
                ['ID', 'DATE', 'MAILBOX', 'FOLDER', 'LIVE', 'SUBJECT'],
                ...r.hits.map((h) => [
                  String(h.itemId),
                  h.date.slice(0, 10),
                  h.mailbox,
                  h.folder,
                  h.live.status,
                  h.subject,
                ]),
              ]),
            ].join('\n'),
          );
        } finally {
          cat.close();
        }
      },
    );
}
