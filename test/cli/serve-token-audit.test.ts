/** The CLI commands of the API: `token create|list|revoke`, `audit list`, `serve`. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { runCli } from '../../src/cli/main.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function home(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-cli-api-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'home');
}

function cli(argv: string[], onStderr?: (s: string) => void, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  return runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: {
      write: (s: string) => {
        stderr += s;
        onStderr?.(stderr);
      },
    },
    stdin: Readable.from([]),
    env,
  }).then((code) => ({ code, stdout, stderr }));
}

describe('salvage token', () => {
  it('create prints the secret once (JSON has `token`), list never shows it, revoke stops it', async (t) => {
    const h = home(t);
    assert.equal((await cli(['init', '--home', h])).code, 0);
    assert.equal((await cli(['mailbox', 'create', '--home', h, 'alice@example.com'])).code, 0);
    const made = await cli([
      'token',
      'create',
      '--home',
      h,
      '--json',
      '--role',
      'user',
      '--mailbox',
      'alice@example.com',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const doc = JSON.parse(made.stdout) as { token: string; id: number; role: string; mailbox: string };
    assert.match(doc.token, /^slv_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual([doc.id, doc.role, doc.mailbox], [1, 'user', 'alice@example.com']);
    const list = await cli(['token', 'list', '--home', h]);
    assert.match(list.stdout, /user:alice@example\.com/);
    assert.ok(!list.stdout.includes(doc.token));
    const revoked = await cli(['token', 'revoke', '--home', h, '--json', '1']);
    assert.equal(revoked.code, 0);
    assert.equal(typeof (JSON.parse(revoked.stdout) as { revoked: string }).revoked, 'string');
  });

  it('create exits 2 for a user token without a mailbox, 3 for an unknown mailbox', async (t) => {
    const h = home(t);
    await cli(['init', '--home', h]);
    const a = await cli(['token', 'create', '--home', h, '--role', 'user']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /^error\[VALIDATION_FAILED\]: A user token must be bound to a mailbox/);
    const b = await cli(['token', 'create', '--home', h, '--role', 'user', '--mailbox', 'x@example.com']);
    assert.equal(b.code, 3);
    const c = await cli(['token', 'create', '--home', h, '--role', 'root']);
    assert.equal(c.code, 2);
  });
});

describe('salvage audit list', () => {
  it('prints the entries newest first, filtered, as text or JSON', async (t) => {
    const h = home(t);
    await cli(['init', '--home', h]);
    await cli(['token', 'create', '--home', h, '--role', 'admin']);
    await cli(['token', 'create', '--home', h, '--role', 'helpdesk']);
    const text = await cli(['audit', 'list', '--home', h]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^TIME +ACTOR +ROLE +ACTION +OUTCOME +TARGET\n/);
    const json = await cli(['audit', 'list', '--home', h, '--json', '--target', '/tokens/2']);
    const doc = JSON.parse(json.stdout) as {
      entries: { action: string; target: string }[];
      nextCursor: null;
    };
    assert.deepEqual(
      doc.entries.map((e) => [e.action, e.target]),
      [['createToken', '/tokens/2']],
    );
    assert.equal((await cli(['audit', 'list', '--home', h, '--since', 'soon'])).code, 2);
  });
});

describe('salvage serve', () => {
  it('--demo creates a missing home, serves /api/v1 and stops on SIGTERM', async (t) => {
    const h = home(t);
    let announce: (port: string) => void = () => undefined;
    const listening = new Promise<string>((resolve) => (announce = resolve));
    const running = cli(
      ['serve', '--home', h, '--port', '0', '--demo'],
      (err) => {
        const m = /Salvage API on http:\/\/127\.0\.0\.1:(\d+)\/api\/v1/.exec(err);
        if (m) {
          announce(m[1]!);
        }
      },
      { SALVAGE_LOG_LEVEL: 'silent' },
    );
    const port = await listening;
    try {
      assert.ok(fs.existsSync(path.join(h, 'live', 'salvage.db')));
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
      const denied = await fetch(`http://127.0.0.1:${port}/api/v1/mailboxes`);
      assert.equal(denied.status, 401);
      assert.match(denied.headers.get('content-type') ?? '', /^application\/problem\+json/);
    } finally {
      process.emit('SIGTERM');
    }
    const r = await running;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SIGTERM: stopping/);
  });

  it('exits 3 when the home has no live database and --demo is not given', async (t) => {
    const r = await cli(['serve', '--home', home(t), '--port', '0']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^error\[DATABASE_NOT_FOUND\]/);
  });
});
