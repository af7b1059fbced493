/**
 * A backup process for backup.test.ts (not a test itself): waits for a line `go` on stdin, then
 * takes a full backup of a database with the store API and prints the result as one JSON line.
 *
 *   node --import tsx test/store/backup-runner.ts <db-dir> <backup-dir>
 */
import readline from 'node:readline';
import { Database, backupFull } from '../../src/store/index.js';

const [dir, backupDir] = process.argv.slice(2) as [string, string];
const lines = readline.createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
lines.close();
const db = Database.open(dir);
try {
  process.stdout.write('open\n');
  process.stdout.write(JSON.stringify(backupFull(db, backupDir)) + '\n');
} finally {
  db.close();
}
