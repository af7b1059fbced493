/**
 * webRouter(): serves the two pages built by Vite (src/web/dist) from the same process as the
 * API — the help desk console at `/` and "Recover deleted items" at `/me`, plus their assets.
 *
 * Invariants: only files found in the build are served (the set is read once, so no request
 * path ever reaches the file system); pages revalidate (no-cache + ETag) while hashed assets
 * are immutable for a year; every answer carries a Content-Security-Policy that allows this
 * origin only — no CDN, no inline script. The pages talk to the server through /api/v1 alone.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the pages may load: this origin; inline styles for the message preview's frame. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Page routes and the built file each one serves. */
const PAGES: Record<string, string> = { '/': 'index.html', '/me': 'me.html', '/me/': 'me.html' };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  immutable: boolean;
}

type Next = (err?: unknown) => void;
export type WebHandler = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** The build directory: next to this module (src/web/dist), or found from dist/src/web/. */
export function findWebDist(from: string = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, 'dist'), path.join(dir, 'src', 'web', 'dist')]) {
      if (
        fs.existsSync(path.join(candidate, 'index.html')) &&
        fs.existsSync(path.join(candidate, 'me.html'))
      ) {
        return candidate;
      }
    }
    if (path.dirname(dir) === dir) {
      return undefined;
    }
  }
}

function readBuild(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        walk(r);
        continue;
      }
      const body = fs.readFileSync(path.join(dir, r));
      out.set(`/${r}`, {
        body,
        type: TYPES[path.extname(r)] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        immutable: r.startsWith('assets/'),
      });
    }
  };
  walk('');
  return out;
}

function send(req: IncomingMessage, res: ServerResponse, a: Asset): void {
  res.setHeader('Content-Type', a.type);
  res.setHeader('Cache-Control', a.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  res.setHeader('ETag', a.etag);
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (req.headers['if-none-match'] === a.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Length', a.body.length);
  res.end(req.method === 'HEAD' ? undefined : a.body);
}

/**
 * The pages and their assets, as a middleware for `app.use()`; anything else goes to `next`.
 * Without a build (`npm run build:web` not run) the pages answer 503 saying so.
 */
export function webRouter(opts: { dir?: string } = {}): WebHandler {
  const dir = opts.dir ?? findWebDist();
  const files = dir === undefined ? new Map<string, Asset>() : readBuild(dir);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    const pathname = (req.url ?? '/').split('?')[0]!;
    const page = PAGES[pathname];
    const asset = files.get(page ? `/${page}` : pathname);
    if (asset && (page !== undefined || pathname.startsWith('/assets/'))) {
      send(req, res, asset);
    } else if (page !== undefined) {
      res.statusCode = 503;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.end('The web pages are not built: run `npm run build:web`, then restart Salvage.\n');
    } else {
      next();
    }
  };
}
