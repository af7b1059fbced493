/**
 * The help desk console (`/`) in headless Chromium against the real app on the demo home:
 * find a lost message, preview it, restore it and see it in the live mailbox; a bad query's
 * problem shown where it is; a dump mounted with progress whose HTML mail is previewed in a
 * sandboxed frame with remote content blocked.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { DEMO_USER } from '../../src/demo/index.js';
import { homePaths } from '../../src/config.js';
import { listItems, getMailbox } from '../../src/store/index.js';
import { type WebWorld, newPage, pageErrors, shot, signIn, startWorld } from './harness.js';

/** A page signed in as the help desk, the demo RSG open, `query` searched: the page and its search box. */
async function searchAsHelpdesk(world: WebWorld, query: string): Promise<{ page: Page; box: Locator }> {
  const page = await newPage(world);
  await signIn(page, `${world.base}/`, world.seed.tokens.helpdesk);
  await page.getByRole('button', { name: `Open ${world.seed.rsg.label}` }).click();
  const box = page.getByLabel('Search this recovery group');
  await box.fill(query);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  return { page, box };
}

describe('help desk console', () => {
  let world: WebWorld;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('finds a lost message by query, previews it, restores it and shows it in the live mailbox', async () => {
    const lost = world.seed.story.missing.find((m) => m.mailbox === DEMO_USER)!;
    const page = await newPage(world);
    await signIn(page, `${world.base}/`, world.seed.tokens.helpdesk);
    await shot(page, 'console-recovery-groups');
    await page.getByRole('button', { name: `Open ${world.seed.rsg.label}` }).click();
    await page.getByLabel('Search this recovery group').fill(`subject:"${lost.subject}"`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const row = page.locator('table.results tbody tr').filter({ hasText: lost.subject });
    await row.getByText('Missing from the mailbox').waitFor();
    await shot(page, 'console-search');

    await row.getByRole('button', { name: lost.subject }).click();
    const preview = page.locator('#preview');
    await preview.locator('#preview-title', { hasText: lost.subject }).waitFor();
    assert.match(await preview.locator('dl.headers').innerText(), /From/);
    assert.ok((await preview.locator('pre.text').innerText()).length > 20, 'the message text is shown');
    await shot(page, 'console-preview');

    await preview.getByRole('button', { name: 'Restore this item…' }).click();
    const merge = page.locator('#merge');
    assert.equal(await merge.getByLabel('Into the live mailbox').inputValue(), DEMO_USER);
    await merge.getByRole('button', { name: 'Preview the plan' }).click();
    const created = merge.locator('.plan td[data-count="created"]');
    await created.waitFor();
    assert.equal(await created.innerText(), '1');
    await shot(page, 'console-merge-plan');

    await merge.getByRole('button', { name: 'Restore 1 item now' }).click();
    const outcome = merge.locator('#merge-outcome');
    await outcome.waitFor();
    assert.match(await outcome.innerText(), /into sally\.beck@example\.com: done\. 1 item restored/);
    await shot(page, 'console-merge-report');

    await merge.getByRole('button', { name: `Open ${DEMO_USER}` }).click();
    await page.locator('#live-items table').getByText(lost.subject, { exact: true }).waitFor();
    await shot(page, 'console-live-mailbox');
    const live = world.services.live;
    const restored = (): boolean =>
      listItems(live.sql, getMailbox(live.sql, DEMO_USER).id).some((i) => i.messageId === lost.messageId);
    assert.ok(restored(), 'the message is back in the live store');

    await page.getByRole('button', { name: 'Recovery groups' }).click();
    page.once('dialog', (d) => void d.accept());
    await merge.getByRole('button', { name: 'Undo this restore' }).click();
    await merge.getByText('Undone: 1 item moved to the dumpster').waitFor();
    assert.ok(!restored(), 'the undo moved it to the dumpster');
    assert.deepEqual(pageErrors(page), []);
  });

  it('shows an administrator the audit log', async () => {
    const page = await newPage(world);
    await signIn(page, `${world.base}/`, world.seed.tokens.admin);
    await page.getByRole('button', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('createToken');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    const bySeed = page.locator('#audit-list tbody tr', { hasText: 'demo seed' });
    await bySeed.first().waitFor();
    assert.equal(await bySeed.count(), 3, 'the seed created three tokens');
    assert.match(await bySeed.first().innerText(), /createToken[\s\S]*ok/);
    await shot(page, 'console-audit-log');
    assert.deepEqual(pageErrors(page), []);
  });

  it('shows more hits of the search it shows, even after the box was edited', async () => {
    const { page, box } = await searchAsHelpdesk(world, 'sent>=1990-01-01');
    const rows = page.locator('table.results tbody tr');
    await page.getByRole('button', { name: 'Show more' }).waitFor();
    assert.equal(await rows.count(), 50);
    const summary = await page.locator('#results').innerText();
    const total = Number(/([\d,]+) results for sent>=1990-01-01/.exec(summary)?.[1]?.replace(/,/g, ''));
    assert.ok(total > 50, summary);
    await box.fill('subject:nothing-like-this');
    await page.getByRole('button', { name: 'Show more' }).click();
    await rows.nth(Math.min(100, total) - 1).waitFor();
    assert.equal(await rows.count(), Math.min(100, total));
    assert.match(await page.locator('#results').innerText(), /results for sent>=1990-01-01/);
    assert.equal(await page.locator('#q-error .problem').count(), 0);
    assert.deepEqual(pageErrors(page), []);
  });

  it('shows the problem of a bad query and marks the offending character', async () => {
    const { page, box } = await searchAsHelpdesk(world, 'from:sally subject:(budget');
    const problem = page.locator('#q-error .problem');
    await problem.waitFor();
    const text = await problem.innerText();
    assert.match(text, /Search query is not valid/);
    assert.match(text, /QUERY_INVALID/);
    assert.equal(await page.locator('#q-error-mark').innerText(), '(');
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    await shot(page, 'console-bad-query', false);
    assert.deepEqual(pageErrors(page), []);
  });

  it('mounts a dump with live progress and previews HTML mail in a sandboxed frame, remote content blocked', async () => {
    let tracked = 0;
    const tracker = http.createServer((_req, res) => {
      tracked += 1;
      res.end();
    });
    await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
    const pixel = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}/pixel.png`;
    try {
      const dir = path.join(homePaths(world.services.config.home).home, 'dumps', 'html', 'alice', 'inbox');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, '1.eml'),
        [
          'From: Newsletter <news@example.org>',
          'To: alice@example.com',
          'Subject: Quarterly newsletter',
          'Date: Tue, 3 Mar 2026 10:00:00 +0000',
          'Message-ID: <newsletter-1@example.org>',
          'MIME-Version: 1.0',
          'Content-Type: text/html; charset=utf-8',
          '',
          `<p>Hello <b>Alice</b></p><img src="${pixel}" alt="pixel"><script>document.title='pwned'</script>`,
          `<div style="background:url(${pixel})">styled</div>`,
          '',
        ].join('\r\n'),
      );
      const page = await newPage(world);
      await signIn(page, `${world.base}/`, world.seed.tokens.helpdesk);
      await page.locator('#mount-panel summary').click();
      await page.getByLabel('Source', { exact: true }).selectOption('eml-tree');
      await page.getByLabel('Path', { exact: true }).fill('dumps/html');
      await page.getByLabel('Label (optional)').fill('newsletter dump');
      await page.getByRole('button', { name: 'Mount', exact: true }).click();
      await page
        .locator('#mount-status', { hasText: 'Mounted newsletter dump' })
        .waitFor({ timeout: 30_000 });
      await page.locator('#ws-title', { hasText: 'newsletter dump' }).waitFor();
      await shot(page, 'console-mounted');

      await page
        .locator('#tree')
        .getByRole('button', { name: /^alice/ })
        .waitFor();
      await page
        .locator('#tree')
        .getByRole('button', { name: /^inbox/i })
        .click();
      await page.getByRole('button', { name: 'Quarterly newsletter' }).click();
      const frame = page.locator('#preview iframe');
      await frame.waitFor();
      assert.equal(await frame.getAttribute('sandbox'), '');
      const srcdoc = (await frame.getAttribute('srcdoc')) ?? '';
      assert.match(
        srcdoc,
        /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'">/,
      );
      assert.doesNotMatch(srcdoc, /<script/i);
      await page.frameLocator('#preview iframe').getByText('Hello').waitFor();
      await shot(page, 'console-preview-html');
      assert.equal(tracked, 0, 'no request reached the tracking server');
      assert.notEqual(await page.title(), 'pwned');
      assert.deepEqual(pageErrors(page), []);
    } finally {
      tracker.close();
    }
  });
});
