/**
 * mountRoutes: every router of the API, one line each, then the API's own 404/405 answer.
 * Paths here are relative to the API base (`/api/v1`, see src/app.ts).
 */
import { type Request, type Router } from 'express';
import { AppError } from '../src/errors.js';
import type { Services } from '../src/services.js';
import { auditRouter } from './audit.js';
import { dumpsterRouter } from './dumpster.js';
import { healthRouter } from './health.js';
import { mailboxesRouter } from './mailboxes.js';
import { jobsRouter } from './jobs.js';
import { meRecoveryRouter } from './me-recovery.js';
import { meRouter } from './me.js';
import { mergesRouter } from './merges.js';
import { recoveryRouter } from './recovery.js';
import { tokensRouter } from './tokens.js';

export function mountRoutes(api: Router, services: Services): void {
  api.use(healthRouter(services));
  api.use(mailboxesRouter(services));
  api.use(dumpsterRouter(services));
  api.use(meRouter(services));
  api.use(tokensRouter(services));
  api.use(auditRouter(services));
  api.use(recoveryRouter(services));
  api.use(mergesRouter(services));
  api.use(jobsRouter(services));
  api.use(meRecoveryRouter(services));
  api.use((req: Request) => {
    const allow = allowedMethods(api, req.path);
    if (allow.length > 0) {
      throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${allow.join(', ')}`, {
        allow,
      });
    }
    throw new AppError('NOT_FOUND', 'No such resource in this API');
  });
}

/** One route of a router: its method, its path (Express syntax) and its handlers. */
export interface RouteInfo {
  method: string;
  path: string;
  handlers: unknown[];
}

interface LayerLike {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown; method?: string }[] };
  handle?: { stack?: LayerLike[] };
  match(path: string): unknown;
}

/** Every route registered in a router and its sub-routers (for 405s and the contract tests). */
export function listRoutes(router: Router): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const layer of (router as unknown as { stack: LayerLike[] }).stack) {
    if (layer.route) {
      for (const m of Object.keys(layer.route.methods).filter((k) => k !== '_all')) {
        out.push({
          method: m.toUpperCase(),
          path: layer.route.path,
          handlers: layer.route.stack.map((s) => s.handle),
        });
      }
    } else if (layer.handle?.stack) {
      out.push(...listRoutes(layer.handle as unknown as Router));
    }
  }
  return out;
}

function allowedMethods(router: Router, path: string): string[] {
  const found = new Set<string>();
  const walk = (stack: LayerLike[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        let hit: unknown = false;
        try {
          hit = layer.match(path);
        } catch {
          // a malformed escape matches nothing here; the route itself answers 400
        }
        if (hit) {
          Object.keys(layer.route.methods).forEach((m) => found.add(m.toUpperCase()));
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((router as unknown as { stack: LayerLike[] }).stack);
  if (found.has('GET')) {
    found.add('HEAD');
  }
  return [...found].sort();
}
