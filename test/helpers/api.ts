/**
 * Helpers of the API tests: `makeTestApp` (temp home, ManualClock, sequential request ids, a
 * token per role), a supertest wrapper that validates every response against openapi.yaml,
 * `expectProblem` for whole problem bodies, and message factories.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Express } from 'express';
import { pino } from 'pino';
import request, { type Response, type Test } from 'supertest';
import { parse as parseYaml } from 'yaml';
import { HTTP, problemType } from '../../routes/problem.js';
import { createApp } from '../../src/app.js';
import { CLI_ACTOR } from '../../src/audit/index.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { ErrorCode } from '../../src/errors.js';
import { ManualClock } from '../../src/lib/clock.js';
import { type Services, buildServices, ensureHome, sequentialIds } from '../../src/services.js';
import { createMailbox, deliver } from '../../src/store/index.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const API = '/api/v1';
/** 2026-03-02T09:00:00Z: the fixed start of every test clock. */
export const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';

export interface TestTokens {
  admin: string;
  helpdesk: string;
  /** A user bound to alice@example.com. */
  alice: string;
  /** A user bound to bob@example.com. */
  bob: string;
}

export interface TestApp {
  app: Express;
  services: Services;
  clock: ManualClock;
  home: string;
  tokens: TestTokens;
  /** A client that validates every response against openapi.yaml. */
  api: ApiClient;
  /** Deliver a message to a mailbox (default alice) and return its item id. */
  deliver: (message: string | Buffer, opts?: { to?: string; folder?: string }) => number;
}

export interface TestAppOptions {
  config?: Partial<Record<keyof Config, unknown>>;
}

/** What makeTestApp needs of a test: somewhere to register its cleanup (a TestContext will do). */
export type Cleanup = Pick<TestContext, 'after'> | { after(fn: () => Promise<void>): void };

/**
 * The home every test app starts from, made once per process: the live database with mailboxes
 * alice and bob and a token per role. Each app copies it (no writes, no fsyncs), so tests stay
 * isolated and cheap.
 */
let template: Promise<{ home: string; tokens: TestTokens }> | undefined;

function templateHome(): Promise<{ home: string; tokens: TestTokens }> {
  template ??= (async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-api-template-'));
    process.once('exit', () => fs.rmSync(home, { recursive: true, force: true }));
    const clock = new ManualClock(T0);
    const config = loadConfig({ home, logLevel: 'silent' }, {});
    ensureHome(config, clock);
    const services = buildServices(config, { clock, logger: pino({ level: 'silent' }) });
    try {
      await Promise.all([ALICE, BOB].map((address) => createMailbox(services.live, { address })));
      const ctx = { actor: CLI_ACTOR, requestId: null };
      const [admin, helpdesk, alice, bob] = await Promise.all([
        services.auth.create(ctx, { role: 'admin', name: 'test-admin' }),
        services.auth.create(ctx, { role: 'helpdesk', name: 'test-helpdesk' }),
        services.auth.create(ctx, { role: 'user', mailbox: ALICE }),
        services.auth.create(ctx, { role: 'user', mailbox: BOB }),
      ]);
      return {
        home,
        tokens: { admin: admin.secret, helpdesk: helpdesk.secret, alice: alice.secret, bob: bob.secret },
      };
    } finally {
      // closing checkpoints the WAL: the copy is one consistent salvage.db plus its log
      await services.close();
    }
  })();
  return template;
}

/** A live app on a temp home: mailboxes alice and bob, a token per role, the clock at T0. */
export async function makeTestApp(t: Cleanup, opts: TestAppOptions = {}): Promise<TestApp> {
  const base = await templateHome();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-api-'));
  fs.cpSync(base.home, home, { recursive: true });
  const clock = new ManualClock(T0);
  const config = loadConfig({ home, logLevel: 'silent', ...opts.config }, {});
  const services = buildServices(config, {
    clock,
    ids: sequentialIds(),
    logger: pino({ level: 'silent' }),
  });
  t.after(async () => {
    await services.close();
    fs.rmSync(home, { recursive: true, force: true });
  });
  const app = createApp(services);
  return {
    app,
    services,
    clock,
    home,
    tokens: base.tokens,
    api: apiClient(app),
    deliver: (message, o = {}) =>
      deliver(services.live, [Buffer.from(message)], { to: [o.to ?? ALICE], folder: o.folder }).delivered[0]!
        .ids[0]!,
  };
}

// ---------------------------------------------------------------------------------------------
// Messages

export interface MessageSpec {
  subject?: string;
  from?: string;
  to?: string;
  date?: string;
  messageId?: string;
  text?: string;
  html?: string;
  attachments?: { name: string; contentType: string; content: string }[];
  /** Extra header lines, verbatim. */
  headers?: string[];
}

let messageSeq = 0;

/** An RFC 5322 message (CRLF); every field has a default, a test states only what matters. */
export function aMessage(spec: MessageSpec = {}): string {
  messageSeq += 1;
  const head = [
    ...(spec.headers ?? []),
    `From: ${spec.from ?? 'Carol Sender <carol@example.net>'}`,
    `To: ${spec.to ?? ALICE}`,
    `Subject: ${spec.subject ?? `Message ${messageSeq}`}`,
    `Date: ${spec.date ?? 'Mon, 02 Mar 2026 08:00:00 +0000'}`,
    `Message-ID: <${spec.messageId ?? `m${messageSeq}.${process.pid}@example.net`}>`,
    'MIME-Version: 1.0',
  ];
  const text = spec.text ?? `Body of message ${messageSeq}.`;
  const parts: string[] = [];
  if (spec.html !== undefined) {
    parts.push(
      [
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        '',
        text,
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        '',
        spec.html,
        '--alt--',
      ].join('\r\n'),
    );
  } else {
    parts.push(['Content-Type: text/plain; charset=utf-8', '', text].join('\r\n'));
  }
  if (spec.attachments?.length) {
    const mixed = [
      'Content-Type: multipart/mixed; boundary="mix"',
      '',
      '--mix',
      parts[0]!,
      ...spec.attachments.flatMap((a) => [
        '--mix',
        `Content-Type: ${a.contentType}; name="${a.name}"`,
        `Content-Disposition: attachment; filename="${a.name}"`,
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from(a.content).toString('base64'),
      ]),
      '--mix--',
    ].join('\r\n');
    return [...head, mixed, ''].join('\r\n');
  }
  return [...head, parts[0]!, ''].join('\r\n');
}

// ---------------------------------------------------------------------------------------------
// Problems

/** The whole problem body the API sends for `code` (`extra` gives instance, detail, requestId, …). */
export function problem(
  code: ErrorCode,
  extra: { instance: string; detail: string; requestId: string } & Record<string, unknown>,
): Record<string, unknown> {
  return { type: problemType(code), title: HTTP[code].title, status: HTTP[code].status, code, ...extra };
}

/** Assert the response is exactly this problem (its request id read from X-Request-Id). */
export function expectProblem(
  res: Response,
  code: ErrorCode,
  extra: { instance: string; detail: string } & Record<string, unknown>,
): void {
  assert.equal(res.status, HTTP[code].status, `status of ${JSON.stringify(res.body)}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.deepEqual(res.body, problem(code, { requestId: res.headers['x-request-id'] as string, ...extra }));
}

// ---------------------------------------------------------------------------------------------
// The validating client

export type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

export interface ApiClient {
  get(url: string, token?: string): Test;
  post(url: string, token?: string): Test;
  put(url: string, token?: string): Test;
  delete(url: string, token?: string): Test;
  patch(url: string, token?: string): Test;
  request(method: Method, url: string, token?: string): Test;
}

/** supertest against the app; every response is checked against openapi.yaml before `.expect`s run. */
export function apiClient(app: Express): ApiClient {
  const call = (method: Method, url: string, token?: string): Test => {
    const full = url.startsWith('/api/') ? url : API + url;
    let test = request(app)[method](full);
    if (token !== undefined) {
      test = test.set('Authorization', `Bearer ${token}`);
    }
    return test.expect((res: Response) => validateResponse(method.toUpperCase(), full, res));
  };
  return {
    get: (u, tk) => call('get', u, tk),
    post: (u, tk) => call('post', u, tk),
    put: (u, tk) => call('put', u, tk),
    delete: (u, tk) => call('delete', u, tk),
    patch: (u, tk) => call('patch', u, tk),
    request: call,
  };
}

interface OpenApiResponse {
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: unknown }>;
}
interface OpenApiOperation {
  operationId: string;
  responses: Record<string, OpenApiResponse | { $ref: string }>;
  'x-roles': string[];
  'x-mailbox-scope'?: boolean;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, unknown>;
    responses: Record<string, OpenApiResponse>;
    'x-problem-types': Record<string, { status: number; title: string; description: string }>;
  };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

let loaded: { doc: OpenApiDoc; ajv: Ajv2020; validators: Map<string, ValidateFunction> } | undefined;

export function openApi(): OpenApiDoc {
  return load().doc;
}

/** The document's operations: method (upper case), path template, operation. */
export function operations(
  doc: OpenApiDoc = openApi(),
): { method: string; path: string; op: OpenApiOperation }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([m]) => HTTP_METHODS.includes(m))
      .map(([m, op]) => ({ method: m.toUpperCase(), path: p, op: op as OpenApiOperation })),
  );
}

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(rewriteRefs);
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k === '$ref' && typeof x === 'string'
          ? x.replace('#/components/schemas/', 'openapi#/$defs/')
          : rewriteRefs(x),
      ]),
    );
  }
  return v;
}

function load(): NonNullable<typeof loaded> {
  if (!loaded) {
    const doc = parseYaml(fs.readFileSync(path.join(ROOT, 'openapi.yaml'), 'utf8')) as OpenApiDoc;
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi', $defs: rewriteRefs(doc.components.schemas) });
    loaded = { doc, ajv, validators: new Map() };
  }
  return loaded;
}

/** A compiled validator for a schema of the document (cached by key). */
export function schemaValidator(key: string, schema: unknown): ValidateFunction {
  const l = load();
  let v = l.validators.get(key);
  if (!v) {
    v = l.ajv.compile(rewriteRefs(schema) as object);
    l.validators.set(key, v);
  }
  return v;
}

function templateRegex(template: string): RegExp {
  const src = template
    .split(/(\{[^}]+\})/)
    .map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${src}$`);
}

/** The documented operation a request hits, or undefined (an unknown route). */
export function findOperation(
  method: string,
  url: string,
): { path: string; op: OpenApiOperation } | undefined {
  const full = url.split('?')[0]!;
  if (!full.startsWith(API + '/')) {
    return undefined;
  }
  const p = full.slice(API.length);
  const hits = operations()
    .filter((o) => o.method === method && templateRegex(o.path).test(p))
    // a literal segment beats a parameter: /dumpster/purge before /dumpster/{id}
    .sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  return hits[0];
}

function resolveResponse(r: OpenApiResponse | { $ref: string }): OpenApiResponse {
  if ('$ref' in r) {
    const name = r.$ref.replace('#/components/responses/', '');
    const found = openApi().components.responses[name];
    assert.ok(found, `openapi.yaml: no response ${r.$ref}`);
    return found;
  }
  return r;
}

/** Check one response against its operation in openapi.yaml: status, content type, headers, body. */
export function validateResponse(method: string, url: string, res: Response): void {
  const where = `${method} ${url} → ${res.status}`;
  const hit = findOperation(method, url);
  const ct = (res.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!hit) {
    // an unknown route or method: the API's own 404/405 problem
    assert.ok(res.status === 404 || res.status === 405 || res.status === 400, `${where}: undocumented route`);
    assert.equal(ct, 'application/problem+json', `${where}: content type`);
    assertValid(schemaValidator('Problem', { $ref: '#/components/schemas/Problem' }), res.body, where);
    return;
  }
  const raw =
    hit.op.responses[String(res.status)] ?? (res.status >= 500 ? hit.op.responses.default : undefined);
  assert.ok(raw, `${where}: status ${res.status} is not documented for ${hit.op.operationId}`);
  const doc = resolveResponse(raw);
  for (const h of Object.keys(doc.headers ?? {})) {
    assert.ok(res.headers[h.toLowerCase()] !== undefined, `${where}: documented header ${h} missing`);
  }
  // a download whose type varies (an attachment's own) is documented as '*/*'
  const media = doc.content?.[ct] ?? doc.content?.['*/*'];
  assert.ok(media, `${where}: content type '${ct}' is not documented`);
  if (ct.endsWith('json')) {
    const key = `${hit.op.operationId}:${res.status}:${ct}`;
    assertValid(schemaValidator(key, media.schema), res.body, where);
  }
}

function assertValid(v: ValidateFunction, body: unknown, where: string): void {
  if (!v(body)) {
    assert.fail(`${where}: the body does not match openapi.yaml: ${JSON.stringify(v.errors, null, 1)}`);
  }
}
