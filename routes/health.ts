/** /health (no token: for load balancers and start-up scripts) and /stats (storage figures). */
import { Router } from 'express';
import type { Services } from '../src/services.js';
import { stats } from '../src/store/index.js';
import { PUBLIC, STAFF, guard } from './auth.js';

export function healthRouter(services: Services): Router {
  const r = Router();

  r.get('/health', guard(services, 'getHealth', PUBLIC), (_req, res) => {
    // a read proves the live database answers
    services.live.tail();
    res.json({ status: 'ok' });
  });

  r.get('/stats', guard(services, 'getStats', STAFF), (_req, res) => {
    res.json(stats(services.live));
  });

  return r;
}
