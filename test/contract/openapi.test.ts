/**
 * openapi.yaml against the app: every route is documented and every documented route exists,
 * with the same operationId, roles (`x-roles`), mailbox scope and security; every ErrorCode has
 * a documented problem type with the status and title routes/problem.ts sends; every schema
 * compiles. (The API tests validate each response they see against these schemas.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listRoutes } from '../../routes/index.js';
import type { Guard } from '../../routes/auth.js';
import { HTTP, problemType } from '../../routes/problem.js';
import { ERROR_CODES } from '../../src/errors.js';
import {
  type TestApp,
  findOperation,
  makeTestApp,
  openApi,
  operations,
  schemaValidator,
  validateResponse,
} from '../helpers/api.js';

/** Express `/mailboxes/:address` → OpenAPI `/mailboxes/{address}`. */
const toTemplate = (p: string) => p.replace(/:(\w+)/g, '{$1}');

describe('openapi.yaml', () => {
  let fx: TestApp;
  const cleanups: (() => Promise<void>)[] = [];
  before(async () => {
    fx = await makeTestApp({ after: (fn: () => Promise<void>) => cleanups.push(fn) });
  });
  after(() => Promise.all(cleanups.map((f) => f())));

  it('documents every route of the app, and no route the app does not have', () => {
    const app = listRoutes(fx.app.router)
      .map((r) => `${r.method} ${toTemplate(r.path)}`)
      .sort();
    const doc = operations()
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    assert.deepEqual(doc, app);
  });

  it('gives each route the operationId, roles, scope and security of its guard', () => {
    const mismatches: string[] = [];
    for (const r of listRoutes(fx.app.router)) {
      const guard = r.handlers.find((h): h is Guard => typeof h === 'function' && 'operationId' in h);
      const where = `${r.method} ${r.path}`;
      if (!guard) {
        mismatches.push(`${where}: no guard`);
        continue;
      }
      const op = operations().find((o) => o.method === r.method && o.path === toTemplate(r.path))?.op as
        (Record<string, unknown> & { operationId: string }) | undefined;
      if (!op) {
        continue; // reported by the test above
      }
      const roles = guard.access.roles === 'public' ? [] : [...guard.access.roles];
      const got = {
        operationId: op.operationId,
        roles: op['x-roles'],
        scope: op['x-mailbox-scope'] === true,
        public: Array.isArray(op.security) && op.security.length === 0,
      };
      const want = {
        operationId: guard.operationId,
        roles,
        scope: guard.access.mailbox === true,
        public: guard.access.roles === 'public',
      };
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(`${where}: document ${JSON.stringify(got)} ≠ app ${JSON.stringify(want)}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('documents, per operation, a summary, a description and the refusals it can give', () => {
    const missing: string[] = [];
    for (const { method, path, op } of operations()) {
      const o = op as unknown as Record<string, unknown> & { responses: Record<string, unknown> };
      const id = `${method} ${path}`;
      for (const k of ['summary', 'description', 'operationId', 'tags']) {
        if (!o[k]) {
          missing.push(`${id}: ${k}`);
        }
      }
      const roles = o['x-roles'] as string[];
      const need = ['default'];
      if (roles.length > 0) {
        need.push('401');
      }
      if (roles.length > 0 && roles.length < 3) {
        need.push('403');
      }
      if (o['x-mailbox-scope']) {
        need.push('400', '404');
      }
      if (o.requestBody) {
        need.push('400', '413');
      }
      for (const s of need) {
        if (!o.responses[s]) {
          missing.push(`${id}: response ${s}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('documents every ErrorCode as a problem type with the status and title the API sends', () => {
    const doc = openApi();
    const types = doc.components['x-problem-types'];
    assert.deepEqual(Object.keys(types).sort(), [...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      assert.deepEqual(
        { status: types[code]!.status, title: types[code]!.title },
        HTTP[code],
        `x-problem-types.${code}`,
      );
      assert.ok(types[code]!.description.length > 10, `x-problem-types.${code}.description`);
      assert.match(problemType(code), /^tag:salvage,2026:problem\/[a-z]+(-[a-z]+)*$/);
    }
    const enumCodes = (doc.components.schemas.ErrorCode as { enum: string[] }).enum;
    assert.deepEqual([...enumCodes].sort(), [...ERROR_CODES].sort());
  });

  it('has schemas that compile and references that resolve', () => {
    const doc = openApi();
    for (const name of Object.keys(doc.components.schemas)) {
      schemaValidator(`schema:${name}`, { $ref: `#/components/schemas/${name}` });
    }
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      let node: unknown = doc;
      for (const part of ref!.split('/')) {
        node = (node as Record<string, unknown> | undefined)?.[part];
      }
      assert.ok(node !== undefined, `unresolved $ref #/${ref}`);
    }
  });

  it('is enforced: a response that strays from its schema fails validation', () => {
    const fake = (status: number, body: unknown, type = 'application/json') =>
      ({ status, body, headers: { 'content-type': type } }) as never;
    assert.ok(findOperation('GET', '/api/v1/mailboxes/a@b.c/items/7'));
    assert.throws(
      () => validateResponse('GET', '/api/v1/health', fake(200, { status: 'ok', extra: 1 })),
      /does not match openapi.yaml/,
    );
    assert.throws(() => validateResponse('GET', '/api/v1/health', fake(418, {})), /not documented/);
    assert.throws(
      () => validateResponse('GET', '/api/v1/me', fake(401, { code: 'NOPE' }, 'application/problem+json')),
      /header WWW-Authenticate missing|does not match/,
    );
    validateResponse('GET', '/api/v1/health', fake(200, { status: 'ok' }));
  });
});
