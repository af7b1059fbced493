/**
 * A backup process for backup.test.ts (not a test itself): waits for a line `go` on stdin, then
 * takes a full backup of a database with the store API and prints the result as one JSON line.
 * With `pause-at-snapshot` it prints `snapshot <lsn>` once the snapshot is taken and stops
 * itself (SIGSTOP) before copying it, so that the test can write and checkpoint meanwhile and
 * then let it go on (SIGCONT).
 *
 *   node --import tsx test/store/backup-runner.ts <db-dir> <backup-dir> [pause-at-snapshot]
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { Database, backupFull } from '../../src/store/index.js';

const [dir, backupDir, mode] = process.argv.slice(2) as [string, string, string | undefined];
const lines = readline.createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
lines.close();
const db = Database.open(dir);
try {
  process.stdout.write('open\n');
  const onSnapshot =
    mode === 'pause-at-snapshot'
      ? (lsn: number): void => {
          fs.writeSync(1, `snapshot ${lsn}\n`);
          process.kill(process.pid, 'SIGSTOP');
        }
      : undefined;
  process.stdout.write(JSON.stringify(backupFull(db, backupDir, { onSnapshot })) + '\n');
} finally {
  db.close();
}
