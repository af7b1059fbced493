import type { Command } from 'commander';
import { AuditService, CLI_ACTOR } from '../../audit/index.js';
import { ROLES, type Role, createToken, listTokens, revokeToken, toTokenView } from '../../auth/index.js';
import { AppError } from '../../errors.js';
import { type CliContext, fmtDate, table } from '../context.js';
import { parseIds } from './item.js';
import { parseAddress } from './mailbox.js';

const CLI = { actor: CLI_ACTOR, requestId: null };

function parseRole(r: string): Role {
  if (!(ROLES as readonly string[]).includes(r)) {
    throw new AppError('VALIDATION_FAILED', `--role must be one of ${ROLES.join(', ')}, not '${r}'`);
  }
  return r as Role;
}

export function registerToken(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('bearer tokens of the REST API (stored hashed)');
  token
    .command('create')
    .description('create a token and print its secret (shown this once)')
    .requiredOption('--role <role>', `admin, helpdesk or user`)
    .option('--mailbox <address>', 'the mailbox a user token is bound to (required for --role user)')
    .option('--name <text>', 'a name to recognise it by (default: role and mailbox)')
    .action(async (opts: { role: string; mailbox?: string; name?: string }, cmd: Command) => {
      const role = parseRole(opts.role);
      const mailbox = opts.mailbox === undefined ? undefined : parseAddress(opts.mailbox);
      const { token: t, secret } = await ctx.withDb(cmd, (db) =>
        createToken(db, new AuditService(db), CLI, { role, mailbox, name: opts.name }),
      );
      ctx.out(cmd, { ...toTokenView(t), token: secret }, () =>
        [
          secret,
          `Token ${t.id} '${t.name}' (${t.role}${t.mailbox ? ` of ${t.mailbox}` : ''}).`,
          'The secret is shown only now: keep it; it is stored hashed.',
        ].join('\n'),
      );
    });
  token
    .command('list')
    .description('every token (never their secrets), newest first')
    .action(async (_opts: unknown, cmd: Command) => {
      const tokens = await ctx.withDb(cmd, (db) => listTokens(db.sql));
      ctx.out(cmd, { tokens: tokens.map(toTokenView) }, () =>
        tokens.length === 0
          ? 'No tokens.'
          : table([
              ['ID', 'ROLE', 'MAILBOX', 'CREATED', 'REVOKED', 'NAME'],
              ...tokens.map((t) => [
                String(t.id),
                t.role,
                t.mailbox ?? '-',
                fmtDate(t.createdMs),
                fmtDate(t.revokedMs),
                t.name,
              ]),
            ]),
      );
    });
  token
    .command('revoke <id>')
    .description('revoke a token: it stops working at once')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const [n] = parseIds([id]);
      const t = await ctx.withDb(cmd, (db) => revokeToken(db, new AuditService(db), CLI, n!));
      ctx.out(cmd, toTokenView(t), () => `Revoked token ${t.id} '${t.name}'`);
    });
}
