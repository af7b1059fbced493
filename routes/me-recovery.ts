/** /me/recovery-groups: "older items from backup" — a user's own mailbox in self-service RSGs. */
import { Router } from 'express';
import { z } from 'zod';
import { toItemSummary } from '../src/live/index.js';
import type { Services } from '../src/services.js';
import { SELF, guard } from './auth.js';
import { callerOf, ownMailboxOf } from './context.js';
import { PageQuery, parse } from './params.js';
import { toRsgView } from './recovery.js';

const RsgParams = z.object({ id: z.string().regex(/^[a-z0-9]{4,32}$/, 'a recovery group id') });
const RestoreBody = z.strictObject({ itemIds: z.array(z.number().int().min(1)).min(1).max(1000) });

export function meRecoveryRouter(services: Services): Router {
  const r = Router();
  const { recovery, merges } = services;

  r.get('/me/recovery-groups', guard(services, 'listMyRecoveryGroups', SELF), (_req, res) => {
    res.json({ recoveryGroups: recovery.selfService(ownMailboxOf(res)).map(toRsgView) });
  });

  r.get('/me/recovery-groups/:id/items', guard(services, 'listMyRecoveryItems', SELF), (req, res) => {
    const { id } = parse(RsgParams, req.params, 'params');
    const own = ownMailboxOf(res);
    recovery.selfServiceGroup(id, own);
    const page = recovery.items(id, own, parse(PageQuery, req.query, 'query'));
    res.json({ items: page.items.map(toItemSummary), nextCursor: page.nextCursor });
  });

  r.post(
    '/me/recovery-groups/:id/restore',
    guard(services, 'restoreMyRecoveryItems', SELF),
    async (req, res) => {
      const { id } = parse(RsgParams, req.params, 'params');
      const { itemIds } = parse(RestoreBody, req.body, 'body');
      recovery.selfServiceGroup(id, ownMailboxOf(res));
      const report = await merges.selfRestore(callerOf(res), id, itemIds);
      res.status(202).location(`${req.baseUrl}/merges/${report.id}`).json(report);
    },
  );

  return r;
}
