/**
 * A process that starts mounting a source and freezes once the conversion is under way, so that
 * a test can kill -9 it mid-mount (not a test file: the runner only picks *.test.ts).
 *
 * Usage: node --import tsx test/rsg/mount-child.ts <catalogue root> <source kind> <source path>
 * Prints `converting <rsg id>` when the first batch of items is in the RSG's database, then
 * blocks its thread (at most a minute, should the parent never kill it).
 */
import fs from 'node:fs';
import { systemClock } from '../../src/lib/clock.js';
import { RsgCatalogue, type RsgSourceKind } from '../../src/rsg/index.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/store/index.js';

const [root, kind, source] = process.argv.slice(2);
if (!root || !kind || !source) {
  throw new Error('usage: mount-child.ts <catalogue root> <source kind> <source path>');
}
const cat = new RsgCatalogue(root, { clock: systemClock, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES });
const req = { source: kind as RsgSourceKind, path: source };
const info = cat.begin(req);
await cat.run(info.id, req, {
  onProgress: (p) => {
    if (p.phase === 'converting' && p.items > 0) {
      fs.writeSync(1, `converting ${info.id}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    }
  },
});
