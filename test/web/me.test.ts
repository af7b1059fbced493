/**
 * "Recover deleted items" (`/me`) in headless Chromium against the real app on the demo home:
 * an end user restores a dumpster item and sees it leave the list; a user sees their own data
 * only; the hourly self-restore limit gets a clear message; the page works at phone width.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_USER } from '../../src/demo/index.js';
import { listDumpster } from '../../src/dumpster/index.js';
import {
  RESTORES_PER_HOUR,
  type WebWorld,
  newPage,
  pageErrors,
  shot,
  signIn,
  startWorld,
} from './harness.js';

describe('recover deleted items (/me)', () => {
  let world: WebWorld;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('restores a dumpster item, which leaves the list', async () => {
    const page = await newPage(world);
    await signIn(page, `${world.base}/me`, world.seed.tokens.user.token);
    const rows = page.locator('#dumpster-list tbody tr');
    await rows.first().waitFor();
    const before = await rows.count();
    assert.equal(before, listDumpster(world.services.live, DEMO_USER).length);
    await shot(page, 'me-dumpster');

    const first = rows.first();
    const id = Number(await first.getAttribute('data-item'));
    const subject = await first.locator('.subject').innerText();
    await first.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Restore selected' }).click();
    await page.locator('#restore-status', { hasText: 'Restored 1 item' }).waitFor();
    assert.equal(await page.locator(`#dumpster-list tr[data-item="${id}"]`).count(), 0);
    assert.equal(await rows.count(), before - 1);
    assert.ok(
      !listDumpster(world.services.live, DEMO_USER).some((d) => d.id === id),
      `${subject} left the dumpster`,
    );
    await shot(page, 'me-restored');
    assert.deepEqual(pageErrors(page), []);
  });

  it('filters instantly in the browser, without a request per keystroke', async () => {
    const page = await newPage(world, { width: 360, height: 780 });
    await signIn(page, `${world.base}/me`, world.seed.tokens.user.token);
    const rows = page.locator('#dumpster-list tbody tr');
    await rows.first().waitFor();
    const subject = await rows.first().locator('.subject').innerText();
    const word = subject.split(/\s+/).find((w) => /^[A-Za-z]{4,}$/.test(w)) ?? subject.slice(0, 4);
    let apiCalls = 0;
    page.on('request', (r) => {
      if (r.url().includes('/api/')) {
        apiCalls += 1;
      }
    });
    await page.getByLabel('Search deleted items').pressSequentially(word.slice(0, 4).toLowerCase());
    await page.locator('#filter-count', { hasText: /Showing \d+ of/ }).waitFor();
    assert.ok((await rows.count()) >= 1);
    for (const text of await rows.locator('.subject').allInnerTexts()) {
      assert.ok(text.length > 0);
    }
    assert.equal(apiCalls, 0);
    await shot(page, 'me-phone-search');
    assert.deepEqual(pageErrors(page), []);
  });

  it("shows a user their own items only, and the API refuses another user's", async () => {
    const page = await newPage(world);
    await signIn(page, `${world.base}/me`, world.seed.tokens.user.token);
    await page.locator('#dumpster-list tbody tr').first().waitFor();
    const shown = await page.locator('#dumpster-list .subject').allInnerTexts();
    const mine = new Set(listDumpster(world.services.live, DEMO_USER).map((d) => d.subject));
    const theirs = listDumpster(world.services.live, world.otherUser.mailbox)
      .map((d) => d.subject)
      .filter((s) => !mine.has(s));
    assert.ok(theirs.length > 0);
    assert.deepEqual(
      shown.filter((s) => theirs.includes(s)),
      [],
    );
    const statuses = await page.evaluate(
      async ({ token, other }) =>
        Promise.all(
          [
            `/api/v1/mailboxes/${other}/dumpster`,
            `/api/v1/mailboxes/${other}/items`,
            '/api/v1/recovery-groups',
          ].map(async (url) => (await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).status),
        ),
      { token: world.seed.tokens.user.token, other: encodeURIComponent(world.otherUser.mailbox) },
    );
    assert.deepEqual(statuses, [404, 404, 403]);

    const consolePage = await newPage(world);
    await signIn(consolePage, `${world.base}/`, world.seed.tokens.user.token);
    await consolePage.locator('#rsg-error .problem', { hasText: 'Not allowed for this role' }).waitFor();
    await shot(consolePage, 'console-user-token', false);
    assert.deepEqual(pageErrors(page), []);
  });

  it('says clearly when the hourly restore limit is reached', async () => {
    const page = await newPage(world);
    await signIn(page, `${world.base}/me`, world.otherUser.token);
    const rows = page.locator('#dumpster-list tbody tr');
    await rows.first().waitFor();
    const before = await rows.count();
    assert.ok(before > RESTORES_PER_HOUR);
    for (let i = 0; i <= RESTORES_PER_HOUR; i++) {
      await rows.nth(i).getByRole('checkbox').check();
    }
    await page.getByRole('button', { name: 'Restore selected' }).click();
    const problem = page.locator('#restore-error .problem');
    await problem.waitFor();
    const text = await problem.innerText();
    assert.match(text, /Too many requests/);
    assert.match(
      text,
      /You have restored as many items as allowed for now \(2 items were restored just now\)/,
    );
    assert.match(text, /You can restore more in/);
    assert.equal(await rows.count(), before - RESTORES_PER_HOUR);
    await shot(page, 'me-rate-limit');
    assert.deepEqual(pageErrors(page), []);
  });
});
