/** /me: the caller's own token and, for a user, their own dumpster (self-service restore). */
import { Router } from 'express';
import { toDumpsterItemView, toMailboxView } from '../src/live/index.js';
import type { Services } from '../src/services.js';
import { ANY_TOKEN, SELF, guard } from './auth.js';
import { callerOf, ownMailboxOf } from './context.js';
import { IdParams, PageQuery, parse } from './params.js';

export function meRouter(services: Services): Router {
  const r = Router();

  r.get('/me', guard(services, 'getMe', ANY_TOKEN), (_req, res) => {
    const p = callerOf(res).principal;
    const mailbox = p.mailbox === null ? null : toMailboxView(services.mailboxes.get(p.mailbox));
    res.json({ tokenId: p.tokenId, name: p.name, role: p.role, mailbox });
  });

  r.get('/me/dumpster', guard(services, 'listMyDumpster', SELF), (req, res) => {
    const page = services.dumpster.list(ownMailboxOf(res), parse(PageQuery, req.query, 'query'));
    res.json({ items: page.items.map(toDumpsterItemView), nextCursor: page.nextCursor });
  });

  r.post('/me/dumpster/:id/restore', guard(services, 'restoreMyDumpsterItem', SELF), async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    res.json(await services.dumpster.restore(callerOf(res), ownMailboxOf(res), id));
  });

  return r;
}
