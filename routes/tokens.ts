/** /tokens: bearer tokens (administrators only). A new token's secret is returned once. */
import { Router } from 'express';
import { z } from 'zod';
import { ROLES, toTokenView } from '../src/auth/index.js';
import { auditContext } from '../src/live/index.js';
import { MailboxAddress } from '../src/schemas.js';
import type { Services } from '../src/services.js';
import { ADMIN, guard } from './auth.js';
import { callerOf } from './context.js';
import { IdParams, parse } from './params.js';

const NewToken = z.strictObject({
  role: z.enum(ROLES),
  mailbox: MailboxAddress.optional(),
  name: z
    .string()
    .min(1)
    .max(200)
    .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20), 'no control characters')
    .optional(),
});

export function tokensRouter(services: Services): Router {
  const r = Router();

  r.post('/tokens', guard(services, 'createToken', ADMIN), async (req, res) => {
    const body = parse(NewToken, req.body, 'body');
    const { token, secret } = await services.auth.create(auditContext(callerOf(res)), body);
    res
      .status(201)
      .location(`${req.baseUrl}/tokens/${token.id}`)
      .json({ ...toTokenView(token), token: secret });
  });

  r.get('/tokens', guard(services, 'listTokens', ADMIN), (_req, res) => {
    res.json({ tokens: services.auth.list().map(toTokenView) });
  });

  r.delete('/tokens/:id', guard(services, 'revokeToken', ADMIN), async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    res.json(toTokenView(await services.auth.revoke(auditContext(callerOf(res)), id)));
  });

  return r;
}
