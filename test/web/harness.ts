/**
 * The web tests' world: the demo seeded into a temp home, the real app (createApp) listening on
 * 127.0.0.1 with an ephemeral port, and Debian's headless Chromium driven by playwright-core.
 * Screenshots go to test-results/web/ (gitignored), kept as artefacts of the run.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { type Browser, type Page, chromium } from 'playwright-core';
import { createApp } from '../../src/app.js';
import { CLI_ACTOR } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config.js';
import { type DemoSeed, findSamplesDir, seedDemo } from '../../src/demo/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { type Services, buildServices, ensureHome } from '../../src/services.js';
import { findWebDist } from '../../src/web/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHOTS = path.join(ROOT, 'test-results', 'web');
/** Self-restores per hour in the web tests: small, so the limit is reached on purpose. */
export const RESTORES_PER_HOUR = 2;

/** Debian's chromium package (scripts/pretest.sh installs it). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface WebWorld {
  /** http://127.0.0.1:<port> */
  base: string;
  seed: DemoSeed;
  services: Services;
  browser: Browser;
  /** A second user (Vince Kaminski), for the isolation and rate-limit tests. */
  otherUser: { mailbox: string; token: string };
  close(): Promise<void>;
}

/** Build the pages with Vite when the checkout has no build yet (CI runs `npm ci`, which builds them). */
async function ensureWebBuild(): Promise<void> {
  if (findWebDist()) {
    return;
  }
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'src', 'web', 'vite.config.ts'), logLevel: 'warn' });
}

export async function startWorld(): Promise<WebWorld> {
  await ensureWebBuild();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-web-'));
  // a real clock: the browser shows "3 days ago" from its own clock, and the two must agree
  const config = loadConfig({ home, logLevel: 'silent', selfRestorePerHour: RESTORES_PER_HOUR }, {});
  ensureHome(config, systemClock);
  const seed = await seedDemo(config, systemClock, findSamplesDir());
  const services = buildServices(config, { clock: systemClock, logger: pino({ level: 'silent' }) });
  const vince = 'vince.kaminski@example.com';
  const other = await services.auth.create(
    { actor: CLI_ACTOR, requestId: null },
    { role: 'user', mailbox: vince },
  );
  const server: Server = createApp(services).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seed,
    services,
    browser,
    otherUser: { mailbox: vince, token: other.secret },
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

const scriptErrors = new WeakMap<Page, Error[]>();

/** A fresh page in its own context (its own sessionStorage); its script errors are kept. */
export async function newPage(world: WebWorld, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await world.browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: Error[] = [];
  scriptErrors.set(page, errors);
  page.on('pageerror', (err) => errors.push(err));
  return page;
}

/** The uncaught script errors of a page so far (a test ends by asserting there are none). */
export function pageErrors(page: Page): string[] {
  return (scriptErrors.get(page) ?? []).map((e) => e.message);
}

export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#app').waitFor();
}

export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}
