/** /mailboxes/{address}/dumpster: list, restore to the original folder, purge (admin). */
import { Router } from 'express';
import { z } from 'zod';
import { toDumpsterItemView } from '../src/live/index.js';
import type { Services } from '../src/services.js';
import { MAILBOX_ADMIN, MAILBOX_READER, MAILBOX_RESTORER, guard } from './auth.js';
import { callerOf } from './context.js';
import { ItemParams, MailboxParams, PageQuery, parse } from './params.js';

const PurgeBody = z.strictObject({
  /** Purge these dumpster items now; without it, what is past the retention window. */
  ids: z.array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)).min(1).max(1000).optional(),
});

export function dumpsterRouter(services: Services): Router {
  const r = Router();
  const { dumpster } = services;

  r.get('/mailboxes/:address/dumpster', guard(services, 'listDumpster', MAILBOX_READER), (req, res) => {
    const { address } = parse(MailboxParams, req.params, 'params');
    const page = dumpster.list(address, parse(PageQuery, req.query, 'query'));
    res.json({ items: page.items.map(toDumpsterItemView), nextCursor: page.nextCursor });
  });

  r.post(
    '/mailboxes/:address/dumpster/:id/restore',
    guard(services, 'restoreDumpsterItem', MAILBOX_RESTORER),
    async (req, res) => {
      const { address, id } = parse(ItemParams, req.params, 'params');
      res.json(await dumpster.restore(callerOf(res), address, id));
    },
  );

  r.post(
    '/mailboxes/:address/dumpster/purge',
    guard(services, 'purgeDumpster', MAILBOX_ADMIN),
    async (req, res) => {
      const { address } = parse(MailboxParams, req.params, 'params');
      const { ids } = parse(PurgeBody, req.body ?? {}, 'body');
      res.json(await dumpster.purge(callerOf(res), address, ids));
    },
  );

  return r;
}
