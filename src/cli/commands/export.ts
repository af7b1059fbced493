import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { openRsgCatalogue } from '../../catalogue.js';
import { AppError } from '../../errors.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportItem,
  sendItems,
  writeExport,
} from '../../export/index.js';
import { type ExportSelection, liveExportItems, rsgExportItems } from '../../export-items.js';
import { asAsyncIterable } from '../../lib/iter.js';
import type { Database } from '../../store/index.js';
import { type CliContext, fmtBytes } from '../context.js';
import { progressView } from '../progress.js';
import { parseIds } from './item.js';
import { parseAddress, parseRsgMailbox } from './mailbox.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface SelectionOpts {
  rsg?: string;
  live?: boolean;
  mailbox?: string;
  folder?: string;
  query?: string;
  item?: string[];
}

/**
 * Resolve the items a command names, from an RSG or the live database (`live`: the connection
 * the command's audit record is written through, when the home has one).
 */
async function withItems<T>(
  ctx: CliContext,
  cmd: Command,
  o: SelectionOpts,
  live: Database | undefined,
  fn: (items: ExportItem[]) => Promise<T>,
): Promise<T> {
  if ((o.rsg === undefined) === (o.live !== true)) {
    throw new AppError('VALIDATION_FAILED', 'Name exactly one of --rsg <id> and --live');
  }
  const sel: ExportSelection = {
    mailbox: o.mailbox ? (o.live ? parseAddress(o.mailbox) : parseRsgMailbox(o.mailbox)) : undefined,
    folder: o.folder,
    query: o.query,
    itemIds: o.item ? parseIds(o.item) : undefined,
  };
  if (o.live) {
    return live ? fn(liveExportItems(live, sel)) : ctx.withDb(cmd, (db) => fn(liveExportItems(db, sel)));
  }
  const cat = openRsgCatalogue(ctx.config(cmd), ctx.clock);
  try {
    return await fn(rsgExportItems(cat.group(o.rsg!), sel, ctx.clock.now()));
  } finally {
    cat.close();
  }
}

/** The audit action and target of an export or a send: the REST names for an RSG, their live counterparts. */
function auditTarget(o: SelectionOpts, verb: 'export' | 'send'): [string, string] {
  if (o.rsg !== undefined) {
    return [
      verb === 'export' ? 'exportRecoveryGroup' : 'sendRecoveryItems',
      `/recovery-groups/${o.rsg}/${verb}`,
    ];
  }
  return [verb === 'export' ? 'exportMailbox' : 'sendMailboxItems', `/mailboxes/${o.mailbox ?? ''}/${verb}`];
}

export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('write items as .eml (one item), mbox (mboxrd) or a zip of .eml files with manifest.csv')
    .option('--rsg <rsg-id>', 'from this recovery group')
    .option('--live', 'from the live database')
    .option('--mailbox <address>', 'the mailbox')
    .option('--folder <path>', 'only this folder and its subfolders')
    .option('--query <q>', 'only the hits of this query (recovery groups)')
    .option('--item <id>', 'only this item (repeatable)', collect)
    .requiredOption('--format <format>', `${EXPORT_FORMATS.join('|')}`)
    .option('--per-folder', 'mbox: a zip with one mbox per folder, so folders survive')
    .requiredOption('--out <path>', 'the file to write (refused if it exists)')
    .action(async (o: SelectionOpts & { format: string; out: string; perFolder?: boolean }, cmd: Command) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) {
        throw new AppError(
          'VALIDATION_FAILED',
          `--format must be one of ${EXPORT_FORMATS.join(', ')}, not '${o.format}'`,
        );
      }
      if (fs.existsSync(o.out)) {
        throw new AppError('VALIDATION_FAILED', `${o.out} exists; choose a new file`);
      }
      const [action, target] = auditTarget(o, 'export');
      const run = (live: Database | undefined) =>
        withItems(ctx, cmd, o, live, async (items) => {
          const view = progressView(ctx.io, !ctx.json(cmd));
          const tmp = `${o.out}.partial`;
          const out = fs.createWriteStream(tmp, { flags: 'wx' });
          try {
            const res = await writeExport(asAsyncIterable(items), o.format as ExportFormat, out, {
              mboxPerFolder: o.perFolder === true,
              onProgress: (p) => view.update(p.items, items.length, fmtBytes(p.bytes)),
            });
            await new Promise<void>((resolve, reject) => out.close((err) => (err ? reject(err) : resolve())));
            fs.renameSync(tmp, o.out);
            return res;
          } catch (err) {
            out.destroy();
            fs.rmSync(tmp, { force: true });
            throw err;
          } finally {
            view.stop();
          }
        });
      const r = await ctx.auditedInHome(cmd, action, target, run, (x) => ({
        mailbox: o.mailbox ?? null,
        format: o.format,
        items: x.items,
        bytes: x.bytes,
        out: path.resolve(o.out),
      }));
      ctx.out(
        cmd,
        { out: o.out, format: o.format, ...r },
        () => `Exported ${r.items} item(s), ${fmtBytes(r.bytes)}, to ${o.out}`,
      );
    });
  program
    .command('send')
    .description(
      'mail items as message/rfc822 attachments (original bytes) through the SMTP relay of salvage.json',
    )
    .option('--rsg <rsg-id>', 'from this recovery group')
    .option('--live', 'from the live database')
    .option('--mailbox <address>', 'the mailbox (with --folder or alone: all of it)')
    .option('--folder <path>', 'only this folder and its subfolders')
    .option('--query <q>', 'the hits of this query (recovery groups)')
    .option('--item <id>', 'an item (repeatable)', collect)
    .requiredOption('--to <recipient>', 'who receives the mail')
    .option('--subject <text>', 'subject of the mail', 'Recovered messages')
    .option('--note <text>', 'cover text', 'The messages you asked for are attached, as they were.')
    .option('--split', 'send several mails when the selection exceeds the size limit (else refused)')
    .action(
      async (
        o: SelectionOpts & { to: string; subject: string; note: string; split?: boolean },
        cmd: Command,
      ) => {
        const config = ctx.config(cmd);
        if (!config.smtp) {
          throw new AppError(
            'VALIDATION_FAILED',
            'No SMTP relay configured: add "smtp": {"host": …, "port": …} to salvage.json',
          );
        }
        const smtp = config.smtp;
        const [action, target] = auditTarget(o, 'send');
        const r = await ctx.auditedInHome(
          cmd,
          action,
          target,
          (live) =>
            withItems(ctx, cmd, o, live, (items) =>
              sendItems(items, {
                smtp,
                from: config.mailFrom,
                to: o.to,
                subject: o.subject,
                coverText: o.note,
                maxMailBytes: config.maxMailBytes,
                splitLarge: o.split === true,
              }),
            ),
          (x) => ({ to: o.to, messageIds: x.mails.flatMap((m) => m.messageIds) }),
        );
        ctx.out(cmd, r, () =>
          r.mails
            .map(
              (m, i) =>
                `mail ${i + 1}: ${m.messageIds.length} item(s) to ${m.accepted.join(', ')}: ${m.smtpResponse}`,
            )
            .join('\n'),
        );
      },
    );
}
