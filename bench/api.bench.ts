/**
 * REST API throughput and latency over loopback: a bare Express "hello" route beside listing a
 * page of a 1,000-item folder and fetching one item (as the help desk, whose body reads are
 * audited — one logged write each — and as the mailbox's user, whose are not).
 *
 * The server runs in this thread; the load comes from a worker thread (its own event loop), 16
 * concurrent keep-alive clients (maxSockets 16), each scenario bounded in requests and time.
 * Run alone: `node --import tsx bench/api.bench.ts`; or through bench/run.ts.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import express from 'express';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { CLI_ACTOR } from '../src/audit/index.js';
import { loadConfig } from '../src/config.js';
import { buildServices, ensureHome } from '../src/services.js';
import { createMailbox, deliver } from '../src/store/index.js';

const CONCURRENCY = 16;
const FOLDER_ITEMS = 1000;
/** Per scenario: at most this many measured requests, or this long, whichever comes first. */
const MAX_REQUESTS = 4000;
const MAX_MS = 8000;
const WARMUP_REQUESTS = 200;

export interface ScenarioResult {
  name: string;
  path: string;
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ApiBenchResult {
  name: 'api';
  concurrency: number;
  folderItems: number;
  cpus: number;
  scenarios: ScenarioResult[];
}

/** The load generator, run in a worker thread (plain JS: no loader needed there). */
const LOAD_WORKER = `
const http = require('node:http');
const { workerData, parentPort } = require('node:worker_threads');
const { port, path, headers, concurrency, maxRequests, maxMs, warmup } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
function once() {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, ok: res.statusCode < 300 }));
    });
    req.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, ok: false }));
    req.end();
  });
}
async function phase(limit, budgetMs, record) {
  let started = 0;
  const start = Date.now();
  const lat = [];
  let errors = 0;
  async function client() {
    while (started < limit && Date.now() - start < budgetMs) {
      started++;
      const r = await once();
      if (record) { lat.push(r.ms); }
      if (!r.ok) { errors++; }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client));
  return { lat, errors, ms: Date.now() - start };
}
(async () => {
  await phase(warmup, maxMs, false);
  const r = await phase(maxRequests, maxMs, true);
  agent.destroy();
  parentPort.postMessage(r);
})();
`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function load(name: string, port: number, urlPath: string, token?: string): Promise<ScenarioResult> {
  const worker = new Worker(LOAD_WORKER, {
    eval: true,
    workerData: {
      port,
      path: urlPath,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      concurrency: CONCURRENCY,
      maxRequests: MAX_REQUESTS,
      maxMs: MAX_MS,
      warmup: WARMUP_REQUESTS,
    },
  });
  const r = await new Promise<{ lat: number[]; errors: number; ms: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  const sorted = [...r.lat].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    name,
    path: urlPath,
    requests: r.lat.length,
    errors: r.errors,
    seconds: round(r.ms / 1000),
    requestsPerSecond: Math.round(r.lat.length / (r.ms / 1000)),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
  };
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
}

function message(i: number): Buffer {
  const body = `Quarterly figures, part ${i}.\n`.repeat(40);
  return Buffer.from(
    [
      `From: Sender ${i % 37} <sender${i % 37}@example.net>`,
      'To: alice@example.com',
      `Subject: Bench message ${i}`,
      `Date: ${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}`,
      `Message-ID: <bench-${i}@example.net>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
    ].join('\r\n'),
  );
}

export default async function apiBench(): Promise<ApiBenchResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-bench-api-'));
  const config = loadConfig({ home: path.join(root, 'home'), logLevel: 'silent' }, {});
  ensureHome(config);
  const services = buildServices(config, { logger: pino({ level: 'silent' }) });
  const servers: Server[] = [];
  try {
    await createMailbox(services.live, { address: 'alice@example.com' });
    const ids: number[] = [];
    for (let i = 0; i < FOLDER_ITEMS; i += 500) {
      const batch = Array.from({ length: Math.min(500, FOLDER_ITEMS - i) }, (_, k) => message(i + k));
      const r = deliver(services.live, batch, { to: ['alice@example.com'], folder: 'Projects' });
      ids.push(...r.delivered.map((d) => d.ids[0]!));
    }
    const ctx = { actor: CLI_ACTOR, requestId: null };
    const helpdesk = (await services.auth.create(ctx, { role: 'helpdesk' })).secret;
    const user = (await services.auth.create(ctx, { role: 'user', mailbox: 'alice@example.com' })).secret;

    const hello = express();
    hello.get('/hello', (_req, res) => {
      res.json({ hello: 'world' });
    });
    const bare = await listen(hello);
    const api = await listen(createApp(services));
    servers.push(bare, api);
    const portOf = (s: Server) => (s.address() as AddressInfo).port;
    const item = ids[Math.floor(ids.length / 2)]!;
    const base = '/api/v1/mailboxes/alice@example.com';
    const scenarios = [
      await load('express hello', portOf(bare), '/hello'),
      await load(
        'list a 1,000-item folder page (50)',
        portOf(api),
        `${base}/items?folder=Projects&limit=50`,
        helpdesk,
      ),
      await load(
        'list a 1,000-item folder page (500)',
        portOf(api),
        `${base}/items?folder=Projects&limit=500`,
        helpdesk,
      ),
      await load('get one item (user, not audited)', portOf(api), `${base}/items/${item}`, user),
      await load('get one item (helpdesk, audited)', portOf(api), `${base}/items/${item}`, helpdesk),
    ];
    return {
      name: 'api',
      concurrency: CONCURRENCY,
      folderItems: FOLDER_ITEMS,
      cpus: os.cpus().length,
      scenarios,
    };
  } finally {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await services.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = await apiBench();
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
