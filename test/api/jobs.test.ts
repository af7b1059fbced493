/**
 * /jobs: ExMerge-style bulk merge jobs submitted by an administrator — the job mounts the
 * fixture tree itself (test/helpers/recovery.ts), merges every mailbox and writes its report;
 * its document is validated whole, and every path in it must stay inside the home.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Response } from 'supertest';
import { ALICE, BOB, T0, type TestApp, expectProblem, makeTestApp } from '../helpers/api.js';
import { TREE, copyTree } from '../helpers/recovery.js';
import { emptyCounts } from '../../src/merge/types.js';

/** Every count of a merge report at zero (openapi.yaml's MergeCounts: the contract test checks the shape). */
const COUNTS = emptyCounts();

let fx: TestApp;
/** The answer to the first job: mount the tree, merge every mailbox, write a report. */
let started: Response;
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  fx = await makeTestApp({ after: (fn: () => Promise<void>) => cleanups.push(fn) });
  copyTree(fx.home);
  started = await fx.api.post('/jobs', fx.tokens.admin).send({
    document: {
      source: { mount: { source: 'eml-tree', path: TREE, label: 'Dial tone' } },
      mailboxes: 'all',
      report: 'reports/dial-tone',
    },
  });
  await fx.services.settled();
});
after(() => Promise.all(cleanups.map((f) => f())));

/** The mailbox lines of a job status, without the merge ids. */
interface MailboxLine {
  mergeId: number;
  to: string;
  counts: typeof COUNTS;
}
const perMailbox = (body: { mailboxes: MailboxLine[] }): Omit<MailboxLine, 'mergeId'>[] =>
  body.mailboxes.map(({ mergeId: _id, ...m }) => m);

describe('POST /jobs', () => {
  it('→ 202 running, with Location; GET /jobs/{id} shows it done with per-mailbox counts and a report', async () => {
    assert.equal(started.status, 202);
    const id = started.body.id as number;
    assert.equal(started.headers.location, `/api/v1/jobs/${id}`);
    assert.equal(started.body.name, 'api');
    assert.equal(started.body.state, 'running');

    const res = await fx.api.get(`/jobs/${id}`, fx.tokens.admin).expect(200);
    assert.match(res.body.rsg, /^[a-z0-9]{4,32}$/);
    assert.deepEqual(
      { ...res.body, mailboxes: perMailbox(res.body) },
      {
        id,
        name: 'api',
        rsg: res.body.rsg,
        state: 'done',
        createdMs: T0,
        updatedMs: T0,
        mailboxes: [
          {
            from: ALICE,
            to: ALICE,
            state: 'done',
            done: 35,
            total: 35,
            counts: { ...COUNTS, selected: 35, created: 35 },
          },
          {
            // the three Postfix bounces are one message (one Message-ID): created once
            from: BOB,
            to: BOB,
            state: 'done',
            done: 6,
            total: 6,
            counts: { ...COUNTS, selected: 6, created: 4, identical: 2, skipped: 2 },
          },
        ],
      },
    );
    const group = await fx.api.get(`/recovery-groups/${res.body.rsg}`, fx.tokens.admin).expect(200);
    assert.equal(group.body.label, 'Dial tone');
    const merge = await fx.api.get(`/merges/${res.body.mailboxes[0].mergeId}`, fx.tokens.admin).expect(200);
    assert.equal(merge.body.counts.created, 35);

    const dir = path.join(fx.home, 'reports', 'dial-tone');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['items.csv', 'summary.csv', 'summary.json']);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.state, 'done');
    assert.equal(summary.totals.created, 39);
    assert.equal(fs.readFileSync(path.join(dir, 'items.csv'), 'utf8').trim().split('\r\n').length, 1 + 41);
  });

  it('→ 202 again over the mounted group: nothing is created twice; new mailboxes on request', async () => {
    const first = await fx.api.get(`/jobs/${started.body.id}`, fx.tokens.admin).expect(200);
    const res = await fx.api
      .post('/jobs', fx.tokens.admin)
      .send({
        document: {
          source: { rsg: first.body.rsg },
          mailboxes: [
            { from: ALICE, to: ALICE },
            { from: ALICE, to: 'carol@example.com' },
          ],
          createMissingMailboxes: true,
          filters: { subjectKeywords: ['ameren'] },
        },
      })
      .expect(202);
    await fx.services.settled();
    const got = await fx.api.get(`/jobs/${res.body.id}`, fx.tokens.admin).expect(200);
    assert.equal(got.body.state, 'done');
    assert.deepEqual(
      perMailbox(got.body).map((m) => [m.to, m.counts]),
      [
        [ALICE, { ...COUNTS, selected: 3, identical: 3, skipped: 3 }],
        ['carol@example.com', { ...COUNTS, selected: 3, created: 3 }],
      ],
    );
    const carol = await fx.api.get('/mailboxes/carol@example.com', fx.tokens.admin).expect(200);
    assert.equal(carol.body.items, 3);
  });

  it('→ 400 VALIDATION_FAILED for paths that leave the home (report, list file, mount)', async () => {
    const res = await fx.api.post('/jobs', fx.tokens.admin).send({
      document: {
        source: { mount: { source: 'eml-tree', path: path.dirname(fx.home) } },
        mailboxListFile: '../mailboxes.txt',
        report: '../../reports/nightly',
      },
    });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/jobs',
      detail: 'A path of the job leaves the Salvage home',
      errors: [
        { where: 'body', path: 'document.report', message: 'must stay inside the Salvage home' },
        { where: 'body', path: 'document.mailboxListFile', message: 'must stay inside the Salvage home' },
        { where: 'body', path: 'document.source.mount.path', message: 'must stay inside the Salvage home' },
      ],
    });
  });

  it('→ 400 JOB_INVALID listing every problem of the document with its path', async () => {
    const res = await fx.api.post('/jobs', fx.tokens.admin).send({
      document: { source: { rsg: 'x' }, folders: 'flat', filters: { sent: { from: '2001-02-30' } } },
    });
    expectProblem(res, 'JOB_INVALID', {
      instance: '/api/v1/jobs',
      detail:
        'document is not a valid job: source.rsg: an RSG id; filters.sent.from: a date as YYYY-MM-DD that exists; ' +
        'folders: Invalid option: expected one of "original"|"recovered"',
      errors: [
        { where: 'job', path: 'source.rsg', message: 'an RSG id' },
        { where: 'job', path: 'filters.sent.from', message: 'a date as YYYY-MM-DD that exists' },
        { where: 'job', path: 'folders', message: 'Invalid option: expected one of "original"|"recovered"' },
      ],
    });
  });

  it('→ 400 JOB_INVALID for a source mailbox the group does not have, before anything is written', async () => {
    const first = await fx.api.get(`/jobs/${started.body.id}`, fx.tokens.admin).expect(200);
    const res = await fx.api.post('/jobs', fx.tokens.admin).send({
      document: { source: { rsg: first.body.rsg }, mailboxes: [{ from: 'ghost@example.com', to: BOB }] },
    });
    expectProblem(res, 'JOB_INVALID', {
      instance: '/api/v1/jobs',
      detail: '1 source mailbox(es) are not in the recovery group',
      errors: [
        { where: 'job', path: 'mailboxes.0.from', message: "no mailbox 'ghost@example.com' in the source" },
      ],
    });
  });

  it('→ 400 VALIDATION_FAILED for a body without a document', async () => {
    const res = await fx.api.post('/jobs', fx.tokens.admin).send({ file: 'dial-tone.yaml' });
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/jobs',
      detail: 'The request body is not valid',
      errors: [
        { where: 'body', path: 'document', message: 'Invalid input: expected record, received undefined' },
        { where: 'body', path: '', message: 'Unrecognized key: "file"' },
      ],
    });
  });

  it('→ 404 RSG_NOT_FOUND for a group that does not exist', async () => {
    const res = await fx.api
      .post('/jobs', fx.tokens.admin)
      .send({ document: { source: { rsg: 'beef0000' }, mailboxes: 'all' } });
    expectProblem(res, 'RSG_NOT_FOUND', {
      instance: '/api/v1/jobs',
      detail: "No recovery group 'beef0000'",
      rsg: 'beef0000',
    });
  });

  it('→ 403 FORBIDDEN for the help desk', async () => {
    const res = await fx.api
      .post('/jobs', fx.tokens.helpdesk)
      .send({ document: { source: { rsg: 'beef0000' }, mailboxes: 'all' } });
    expectProblem(res, 'FORBIDDEN', {
      instance: '/api/v1/jobs',
      detail: 'A helpdesk token may not createJob',
      role: 'helpdesk',
    });
  });
});

describe('GET /jobs/{id}', () => {
  it('→ 404 JOB_NOT_FOUND for a job that does not exist', async () => {
    const res = await fx.api.get('/jobs/999', fx.tokens.admin);
    expectProblem(res, 'JOB_NOT_FOUND', { instance: '/api/v1/jobs/999', detail: 'No job 999', jobId: 999 });
  });

  it('→ 400 VALIDATION_FAILED for an id that is not a number', async () => {
    const res = await fx.api.get('/jobs/..%2F1', fx.tokens.admin);
    expectProblem(res, 'VALIDATION_FAILED', {
      instance: '/api/v1/jobs/..%2F1',
      detail: 'The request path is not valid',
      errors: [{ where: 'params', path: 'id', message: 'a positive whole number' }],
    });
  });

  it('→ 403 FORBIDDEN for a user', async () => {
    const res = await fx.api.get(`/jobs/${started.body.id}`, fx.tokens.alice);
    expectProblem(res, 'FORBIDDEN', {
      instance: `/api/v1/jobs/${started.body.id}`,
      detail: 'A user token may not getJob',
      role: 'user',
    });
  });
});
