import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { MailboxAddress, RsgMailboxName } from '../../schemas.js';
import { createMailbox, listMailboxes, updateMailbox } from '../../store/index.js';
import { type CliContext, fmtBytes, intOption, table } from '../context.js';

export function parseAddress(a: string): string {
  const r = MailboxAddress.safeParse(a);
  if (!r.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      `'${a}' is not a mailbox address: ${r.error.issues[0]?.message ?? ''}`,
    );
  }
  return r.data;
}

/** A mailbox of a recovery group as its source named it (`Local Folders`). @throws VALIDATION_FAILED */
export function parseRsgMailbox(a: string): string {
  const r = RsgMailboxName.safeParse(a);
  if (!r.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      `'${a}' is not a mailbox name: ${r.error.issues[0]?.message ?? ''}`,
    );
  }
  return r.data;
}

export function registerMailbox(program: Command, ctx: CliContext): void {
  const mailbox = program.command('mailbox').description('live mailboxes');
  mailbox
    .command('create <address>')
    .description('create a live mailbox with the default folders')
    .option('--name <text>', 'display name')
    .option('--retention-days <n>', 'dumpster retention of this mailbox (default: the database default)')
    .option('--hold', 'put the mailbox on hold: its dumpster is never purged')
    .action(
      async (
        address: string,
        opts: { name?: string; retentionDays?: string; hold?: boolean },
        cmd: Command,
      ) => {
        const a = parseAddress(address);
        const retentionDays = intOption('--retention-days', opts.retentionDays);
        const m = await ctx.withAuditedDb(
          cmd,
          'createMailbox',
          `/mailboxes/${a}`,
          (db) => createMailbox(db, { address: a, name: opts.name, retentionDays, hold: opts.hold === true }),
          (r) => ({ hold: r.hold, retentionDays: r.retentionDays }),
        );
        ctx.out(cmd, m, () => `Created mailbox ${m.address} (id ${m.id})${m.hold ? ', on hold' : ''}`);
      },
    );
  mailbox
    .command('list')
    .description('every live mailbox with its item count, dumpster count and bytes')
    .action(async (_opts: unknown, cmd: Command) => {
      const boxes = await ctx.withDb(cmd, (db) => listMailboxes(db.sql));
      ctx.out(cmd, { mailboxes: boxes }, () =>
        boxes.length === 0
          ? 'No mailboxes.'
          : table([
              ['ADDRESS', 'ITEMS', 'DUMPSTER', 'BYTES', 'RETENTION', 'HOLD'],
              ...boxes.map((b) => [
                b.address,
                String(b.items),
                String(b.dumpsterItems),
                fmtBytes(b.bytes),
                `${b.effectiveRetentionDays} d`,
                b.hold ? 'yes' : 'no',
              ]),
            ]),
      );
    });
  mailbox
    .command('set <address>')
    .description('change a mailbox: hold, retention, display name')
    .option('--hold', 'put on hold')
    .option('--no-hold', 'take off hold')
    .option('--retention-days <n>', "dumpster retention in days ('default' for the database default)")
    .option('--name <text>', 'display name')
    .action(
      async (
        address: string,
        opts: { hold?: boolean; retentionDays?: string; name?: string },
        cmd: Command,
      ) => {
        const retentionDays =
          opts.retentionDays === 'default' ? null : intOption('--retention-days', opts.retentionDays);
        const a = parseAddress(address);
        const change = { hold: opts.hold, retentionDays, name: opts.name };
        const m = await ctx.withAuditedDb(
          cmd,
          'updateMailbox',
          `/mailboxes/${a}`,
          (db) => updateMailbox(db, a, change),
          () => ({ ...change }),
        );
        ctx.out(
          cmd,
          m,
          () =>
            `Updated ${m.address}: hold ${m.hold ? 'on' : 'off'}, retention ${m.retentionDays ?? 'default'}`,
        );
      },
    );
}
