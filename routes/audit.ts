/** /audit: the audit log, newest first, filtered and paged (administrators only). */
import { Router } from 'express';
import { z } from 'zod';
import { toAuditView } from '../src/audit/index.js';
import type { Services } from '../src/services.js';
import { ADMIN, guard } from './auth.js';
import { PageQuery, parse } from './params.js';

const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => Date.parse(s));

const AuditQuery = PageQuery.extend({
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  target: z.string().min(1).max(1024).optional(),
  outcome: z.enum(['ok', 'denied', 'failed']).optional(),
  since: Instant.optional(),
  until: Instant.optional(),
});

export function auditRouter(services: Services): Router {
  const r = Router();

  r.get('/audit', guard(services, 'listAudit', ADMIN), (req, res) => {
    const { cursor, limit, since, until, ...filter } = parse(AuditQuery, req.query, 'query');
    const page = services.audit.list({ ...filter, sinceMs: since, untilMs: until }, { cursor, limit });
    res.json({ entries: page.items.map(toAuditView), nextCursor: page.nextCursor });
  });

  return r;
}
