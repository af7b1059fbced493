/**
 * createApp(services): the Express app — the REST API under /api/v1 — without listening, so
 * tests drive it in process (supertest) and `salvage serve` listens.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { initState, stateOf } from '../routes/context.js';
import { mountRoutes } from '../routes/index.js';
import { instanceOf, problemHandler } from '../routes/problem.js';
import { AppError } from './errors.js';
import type { Services } from './services.js';
import { webRouter } from './web/index.js';

/** Where the API lives. */
export const API_BASE = '/api/v1';
/** Largest JSON request body. */
export const JSON_LIMIT = '1mb';

export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  // responses are private mail and change constantly: no validators, no caching
  app.set('etag', false);
  app.use(requestContext(services));
  const api = express.Router();
  api.use((_req, res, next) => {
    res.set({
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
    });
    next();
  });
  api.use(express.json({ limit: JSON_LIMIT }));
  mountRoutes(api, services);
  app.use(API_BASE, api);
  app.use(webRouter()); // the pages at / and /me, and their assets (src/web)
  app.use((req: Request) => {
    throw new AppError('NOT_FOUND', `Nothing at ${instanceOf(req)}; the API is under ${API_BASE}`);
  });
  app.use(problemHandler(services.logger));
  return app;
}

/** A request id for every request (X-Request-Id) and one structured log line when it ends. */
function requestContext(services: Services) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const state = initState(res, services.ids.requestId());
    res.set('X-Request-Id', state.requestId);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const s = stateOf(res);
      services.logger.info(
        {
          requestId: s.requestId,
          method: req.method,
          path: instanceOf(req).slice(0, 2048),
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - start) / 1000n) / 1000,
          tokenId: s.principal?.tokenId ?? null,
        },
        'request',
      );
    });
    next();
  };
}
