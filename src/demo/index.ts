/**
 * The out-of-the-box demo of `npm start`: seed a new home with real mail and a history to
 * recover from (seed.ts), keep its credentials in `<home>/demo-credentials.json` (mode 0600) so
 * that the next start prints them again, and say where to go.
 *
 * Invariant: the demo only ever seeds a home whose live database was created by this start;
 * an existing home is served as it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { type DemoSeed, seedDemo } from './seed.js';

export { DEMO_DELETED_FOLDER, DEMO_RSG_LABEL, DEMO_USER, seedDemo } from './seed.js';
export type { DemoItem, DemoSeed, DemoStory } from './seed.js';
export { DEMO_MAILBOXES } from './sample-mail.js';

export const DEMO_CREDENTIALS_FILE = 'demo-credentials.json';
/** Where the Enron slice lives, relative to the package root. */
const SAMPLES_REL = path.join('samples', 'mail', 'enron');

/** The package's samples: found from this module, whether it runs from src/ or from dist/src/. */
export function findSamplesDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, SAMPLES_REL);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      throw new AppError('SOURCE_NOT_FOUND', `The demo's sample mail (${SAMPLES_REL}) is missing`);
    }
  }
}

export function readDemoCredentials(home: string): DemoSeed | undefined {
  const file = path.join(home, DEMO_CREDENTIALS_FILE);
  if (!fs.existsSync(file)) {
    return undefined;
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as DemoSeed;
  } catch {
    // a damaged file only loses the reminder; the tokens in the database are unaffected
    return undefined;
  }
}

function writeDemoCredentials(home: string, seed: DemoSeed): void {
  const file = path.join(home, DEMO_CREDENTIALS_FILE);
  fs.writeFileSync(file, JSON.stringify(seed, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/**
 * `serve --demo`: seed a new home (when `seed`), else find the credentials of an earlier seed.
 * Returns undefined for a home that was never seeded.
 */
export async function prepareDemo(
  config: Config,
  clock: Clock,
  opts: { seed: boolean; samplesDir?: string; note?: (line: string) => void },
): Promise<DemoSeed | undefined> {
  if (!opts.seed) {
    return readDemoCredentials(config.home);
  }
  opts.note?.('Seeding the demo: real Enron mail, a backup set and 40 days of history…');
  const seed = await seedDemo(config, clock, opts.samplesDir ?? findSamplesDir());
  writeDemoCredentials(config.home, seed);
  return seed;
}

/** The lines `npm start` prints: where the pages are and, for a demo home, its credentials. */
export function demoBanner(seed: DemoSeed | undefined, baseUrl: string, home: string): string {
  const pages = [`Help desk console:      ${baseUrl}/`, `Recover deleted items:  ${baseUrl}/me`];
  if (!seed) {
    return [
      ...pages,
      'This home has no demo credentials. Create a token to sign in, e.g.:',
      `  salvage token create --role helpdesk --home ${home}`,
    ].join('\n');
  }
  const lost =
    seed.story.missing.find((m) => m.mailbox === seed.tokens.user.mailbox) ?? seed.story.missing[0];
  return [
    ...pages,
    '',
    '==== DEMO CREDENTIALS (sample data only; also in ' + path.join(home, DEMO_CREDENTIALS_FILE) + ') ====',
    'Help desk token (sign in on the console):',
    `  ${seed.tokens.helpdesk}`,
    `User token of ${seed.tokens.user.mailbox} (sign in on /me):`,
    `  ${seed.tokens.user.token}`,
    'Admin token (the audit log):',
    `  ${seed.tokens.admin}`,
    '====',
    `The recovery group "${seed.rsg.label}" holds the demo's backup. Try searching it for`,
    ...(lost
      ? [`  subject:"${lost.subject}"`, `  (lost from ${lost.mailbox} in the restore of 31 days ago)`]
      : []),
  ].join('\n');
}
