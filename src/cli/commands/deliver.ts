import fs from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { type Database, deliver, parseMessage } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { parseAddress } from './mailbox.js';

/** Messages per write batch: one fsync each, memory bounded. */
const BATCH_MESSAGES = 500;
const BATCH_BYTES = 32 * 1024 * 1024;

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) {
    chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  }
  return Buffer.concat(chunks);
}

function readFileChecked(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new AppError(
      'NOT_FOUND',
      `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { file },
      { cause: err },
    );
  }
}

export function registerDeliver(program: Command, ctx: CliContext): void {
  program
    .command('deliver')
    .description('deliver RFC 5322 messages (files, or - / nothing for standard input) to live mailboxes')
    .argument('[files...]', 'message files; - reads one message from standard input')
    .requiredOption('--to <address>', 'recipient mailbox (repeatable)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option('--folder <path>', 'folder to deliver into (default: the inbox), created if missing')
    .action(async (files: string[], opts: { to: string[]; folder?: string }, cmd: Command) => {
      const to = opts.to.map(parseAddress);
      const maxBytes = ctx.config(cmd).maxMessageBytes;
      const names = files.length === 0 ? ['-'] : files;
      // validate everything first: one bad message leaves the database unchanged
      const inputs: { name: string; bytes: Buffer }[] = [];
      for (const name of names) {
        const bytes = name === '-' ? await readAll(ctx.io.stdin) : readFileChecked(name);
        try {
          parseMessage(bytes, maxBytes);
        } catch (err) {
          if (err instanceof AppError) {
            throw new AppError(
              err.code,
              `${name}: ${err.message}`,
              { ...err.details, file: name },
              { cause: err },
            );
          }
          throw err;
        }
        inputs.push({ name, bytes });
      }
      const out = await ctx.withDb(cmd, (db: Database) => {
        const results: { file: string; ids: number[]; sha256: string; messageId: string | null }[] = [];
        let i = 0;
        while (i < inputs.length) {
          let bytes = 0;
          const batch: typeof inputs = [];
          while (
            i < inputs.length &&
            batch.length < BATCH_MESSAGES &&
            (batch.length === 0 || bytes < BATCH_BYTES)
          ) {
            batch.push(inputs[i]!);
            bytes += inputs[i]!.bytes.length;
            i += 1;
          }
          const r = deliver(
            db,
            batch.map((b) => b.bytes),
            { to, folder: opts.folder, maxBytes, names: batch.map((b) => b.name) },
          );
          r.delivered.forEach((d, k) => results.push({ file: batch[k]!.name, ...d }));
        }
        return results;
      });
      ctx.out(
        cmd,
        { delivered: out, messages: out.length, recipients: to.length },
        () =>
          `Delivered ${out.length} message${out.length === 1 ? '' : 's'} to ${to.length} mailbox${to.length === 1 ? '' : 'es'}`,
      );
    });
}
