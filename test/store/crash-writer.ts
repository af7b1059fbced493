/**
 * A writer process for crash.test.ts and backup.test.ts (not a test itself): delivers messages
 * through the store API, one write per message, and prints each acknowledged item id to stdout
 * after its write resolved — so every printed id must survive a SIGKILL.
 *
 *   node --import tsx test/store/crash-writer.ts <db-dir> small|large|steady [checkpoint-pages]
 *
 * With `checkpoint-pages` it opens the database with that `checkpointPages` (its background
 * checkpointer then runs often) and prints `ckpt <runs>` after an acknowledgement whenever the
 * checkpointer is running a checkpoint at that moment.
 * It starts, then waits for a line `go <round>` on stdin before it opens the database, so a
 * parent can start it early (Node + tsx take a while to start) and let it run when it wants.
 * Output lines: `open`, then `ack <i> <id>[,<id>] <ms>` per message; in `large` mode also
 * `begin <i>` before each write. `stop` on stdin ends it cleanly (steady mode).
 */
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Database, addItemTx, deliver, getMailbox } from '../../src/store/index.js';
import { aBody, aMessage } from '../helpers/messages.js';

export type WriterMode = 'small' | 'large' | 'steady';

export const WRITER_MAILBOXES = ['a@crash.test', 'b@crash.test'];

/** Who gets message `i`: every third goes to both mailboxes. */
export function recipientsOf(i: number): string[] {
  return i % 3 === 0 ? WRITER_MAILBOXES : [WRITER_MAILBOXES[i % 2]!];
}

/**
 * Message `i` of `round`, the same bytes in the writer and in the test that checks them.
 * Messages 2k and 2k+1 differ only in their trace fields, so they share one blob. In `large`
 * mode every message is 1–3 MiB (a blob file); in `steady` mode every tenth is 100 KiB.
 */
export function writerMessage(round: number, i: number, mode: WriterMode): Buffer {
  const k = Math.floor(i / 2);
  const size =
    mode === 'large' ? (1 + (k % 3)) * 1024 * 1024 : mode === 'steady' && k % 5 === 0 ? 100_000 : 600;
  return aMessage({
    subject: `round ${round} message ${k}`,
    messageId: `<r${round}.m${k}@crash.test>`,
    trace: [`Delivered-To: copy-${i}@crash.test`, `Received: by mx.crash.test; round ${round}`],
    body: aBody(size, `r${round}m${k}`),
  });
}

async function main(): Promise<void> {
  const [dir, mode, pages] = process.argv.slice(2) as [string, WriterMode, string | undefined];
  const lines = readline.createInterface({ input: process.stdin });
  let stop = false;
  const go = await new Promise<string>((resolve) => lines.once('line', resolve));
  lines.on('line', (l) => (stop ||= l === 'stop'));
  const round = Number(go.split(' ')[1]);
  const db = Database.open(dir, pages === undefined ? {} : { checkpointPages: Number(pages) });
  const say = (s: string): void => void process.stdout.write(s + '\n');
  say('open');
  const ack = (i: number, ids: number[]): void => {
    say(`ack ${i} ${ids.join(',')} ${Date.now()}`);
    const ckpt = db.checkpointerStatus();
    if (pages !== undefined && ckpt?.running) {
      say(`ckpt ${ckpt.runs}`);
    }
  };
  let i = 0;
  while (!stop) {
    if (mode === 'large') {
      say(`begin ${i}`);
    }
    if (i % 4 === 3) {
      // the CLI's path: one synchronous write batch
      ack(i, deliver(db, [writerMessage(round, i, mode)], { to: recipientsOf(i) }).delivered[0]!.ids);
      i += 1;
      continue;
    }
    // the service's path: concurrent requests that share one group commit
    const n = mode === 'large' ? 1 : 1 + (i % 3);
    const writes = Array.from({ length: n }, (_, j) => {
      const at = i + j;
      const bytes = writerMessage(round, at, mode);
      return db
        .write((tx) =>
          recipientsOf(at).map((a) => addItemTx(tx, { mailboxId: getMailbox(tx.sql, a).id, bytes }).id),
        )
        .then((ids) => ack(at, ids));
    });
    i += n;
    await Promise.all(writes);
    if (mode === 'steady') {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  db.close();
  lines.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
