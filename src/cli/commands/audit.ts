import type { Command } from 'commander';
import { listAudit, toAuditView } from '../../audit/index.js';
import { AppError } from '../../errors.js';
import { type CliContext, fmtDate, intOption, table } from '../context.js';

function instant(name: string, v: string | undefined): number | undefined {
  if (v === undefined) {
    return undefined;
  }
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) {
    throw new AppError('VALIDATION_FAILED', `${name} must be an ISO date or date-time, not '${v}'`);
  }
  return ms;
}

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the audit log (append-only)');
  audit
    .command('list')
    .description('audit entries, newest first')
    .option('--actor <name-or-token-id>', 'only this actor')
    .option('--action <operation>', 'only this action (e.g. restoreDumpsterItem)')
    .option('--target <prefix>', 'only targets starting with this (e.g. /mailboxes/alice@example.com)')
    .option('--outcome <outcome>', 'ok, denied or failed')
    .option('--since <time>', 'from this ISO time on')
    .option('--until <time>', 'before this ISO time')
    .option('--limit <n>', 'at most this many entries', '100')
    .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
    .action(
      async (
        opts: {
          actor?: string;
          action?: string;
          target?: string;
          outcome?: string;
          since?: string;
          until?: string;
          limit: string;
          cursor?: string;
        },
        cmd: Command,
      ) => {
        if (opts.outcome !== undefined && !['ok', 'denied', 'failed'].includes(opts.outcome)) {
          throw new AppError(
            'VALIDATION_FAILED',
            `--outcome must be ok, denied or failed, not '${opts.outcome}'`,
          );
        }
        const page = await ctx.withDb(cmd, (db) =>
          listAudit(
            db.sql,
            {
              actor: opts.actor,
              action: opts.action,
              target: opts.target,
              outcome: opts.outcome as 'ok' | 'denied' | 'failed' | undefined,
              sinceMs: instant('--since', opts.since),
              untilMs: instant('--until', opts.until),
            },
            { cursor: opts.cursor, limit: intOption('--limit', opts.limit, 1)! },
          ),
        );
        const entries = page.items.map(toAuditView);
        ctx.out(cmd, { entries, nextCursor: page.nextCursor }, () =>
          page.items.length === 0
            ? 'No audit entries.'
            : table([
                ['TIME', 'ACTOR', 'ROLE', 'ACTION', 'OUTCOME', 'TARGET'],
                ...page.items.map((e) => [
                  fmtDate(e.timeMs),
                  e.actor.tokenId === null ? e.actor.name : `${e.actor.name}#${e.actor.tokenId}`,
                  e.actor.role ?? '-',
                  e.action,
                  e.code ? `${e.outcome} ${e.code}` : e.outcome,
                  e.target,
                ]),
              ]),
        );
      },
    );
}
