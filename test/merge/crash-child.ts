/**
 * A merge process for crash.test.ts (not a test itself): runs (or resumes) one merge job of a
 * home through the merge API, so that the parent can kill it with SIGKILL at any point.
 *
 *   node --import tsx test/merge/crash-child.ts <home> <clock-ms>
 *
 * It starts, then waits for a line `go <job-id>` on stdin before it opens anything, so that a
 * parent can start it early (Node + tsx take a while to start). Output lines: `open`, then
 * `batch <done>/<total>` after each committed batch (of BATCH_ITEMS), then `done <state>`.
 */
import path from 'node:path';
import readline from 'node:readline';
import { ManualClock } from '../../src/lib/clock.js';
import { mergeExtension, runMergeJob } from '../../src/merge/index.js';
import { RsgCatalogue } from '../../src/rsg/index.js';
import { Database } from '../../src/store/index.js';

/** Small batches, so that a kill can land before, between and inside several of them. */
const BATCH_ITEMS = 250;

async function main(): Promise<void> {
  const [home, ms] = process.argv.slice(2) as [string, string];
  const lines = readline.createInterface({ input: process.stdin });
  const go = await new Promise<string>((resolve) => lines.once('line', resolve));
  lines.close();
  const jobId = Number(go.split(' ')[1]);
  const clock = new ManualClock(Number(ms));
  // the merge's operations are the only ones besides the store's in this test's live database;
  // loading every module's (src/extensions.ts) would double the start-up time of each child
  const live = Database.open(path.join(home, 'live'), { clock, extensions: [mergeExtension] });
  const catalogue = new RsgCatalogue(path.join(home, 'rsg'), { clock, maxMessageBytes: 50 * 1024 * 1024 });
  const say = (s: string): void => void process.stdout.write(s + '\n');
  say('open');
  // the merge needs the live database and the RSG only (src/catalogue.ts would load search too)
  const r = await runMergeJob({ live, group: (id) => catalogue.group(id) }, jobId, {
    onProgress: (p) => say(`batch ${p.done}/${p.total}`),
    batchItems: BATCH_ITEMS,
  });
  catalogue.close();
  live.close();
  say(`done ${r.state}`);
}

await main();
