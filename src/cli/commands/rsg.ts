import type { Command } from 'commander';
import { openRsgCatalogue } from '../../catalogue.js';
import { AppError, type ErrorCode } from '../../errors.js';
import { type MountRequest, RSG_SOURCE_KINDS, type RsgInfo, type RsgSourceKind } from '../../rsg/index.js';
import { type CliContext, fmtBytes, fmtDate, table } from '../context.js';
import { EXIT, EXIT_FOR } from '../exit-codes.js';
import { progressView } from '../progress.js';
import { parseRestorePoint } from './backup.js';
import { parseRsgMailbox } from './mailbox.js';

function describe(r: RsgInfo): string {
  const lines = [
    `${r.id}  ${r.label}`,
    `  source   ${r.source.kind} ${r.source.path}${r.source.until ? ` (until ${r.source.until})` : ''}`,
    `  state    ${r.state}${r.error ? `: ${r.error.code}: ${r.error.message}` : ''}`,
    `  mounted  ${fmtDate(r.mountedMs ?? null)}`,
    `  contents ${r.counts.mailboxes} mailboxes, ${r.counts.folders} folders, ${r.counts.items} items (${r.counts.dumpsterItems} in dumpsters), ${fmtBytes(r.counts.bytes)}`,
  ];
  if (r.report.problemCount > 0) {
    lines.push(`  problems ${r.report.problemCount} item(s) skipped:`);
    for (const p of r.report.problems.slice(0, 20)) {
      lines.push(`    ${p.origin}: ${p.reason}`);
    }
    if (r.report.problemCount > 20) {
      lines.push(`    … (${r.report.problemCount - 20} more; --json lists up to 1000)`);
    }
  }
  if (r.report.indexFailed) {
    lines.push(`  search   ${r.report.indexFailed} item(s) indexed by their headers only`);
  }
  return lines.join('\n');
}

/** The JSON view of an RSG: rsg.json plus `items` at the top, as scripts expect. */
export function rsgView(r: RsgInfo): Record<string, unknown> {
  return { ...r, items: r.counts.items };
}

export function registerRsg(program: Command, ctx: CliContext): void {
  const rsg = program
    .command('rsg')
    .description('recovery storage groups: restored databases and mail dumps mounted read-only');
  rsg
    .command('mount <path>')
    .description(
      'mount a backup set, a database directory or a foreign dump read-only (and index it for search)',
    )
    .requiredOption('--source <kind>', `what <path> is: ${RSG_SOURCE_KINDS.join('|')}`)
    .option('--label <text>', 'a name for people (default: the kind and the file name)')
    .option('--until <time|lsn>', 'backup only: restore up to this ISO time or LSN')
    .option(
      '--mailbox <name>',
      'maildir/eml-tree: read the whole tree as this one mailbox; mbox/pst: the mailbox name',
    )
    .option('--self-service', 'let end users browse and restore their own mailbox from this RSG')
    .action(
      async (
        p: string,
        opts: { source: string; label?: string; until?: string; mailbox?: string; selfService?: boolean },
        cmd: Command,
      ) => {
        if (!RSG_SOURCE_KINDS.includes(opts.source as RsgSourceKind)) {
          throw new AppError(
            'VALIDATION_FAILED',
            `--source must be one of ${RSG_SOURCE_KINDS.join(', ')}, not '${opts.source}'`,
          );
        }
        const config = ctx.config(cmd);
        const cat = openRsgCatalogue(config, ctx.clock);
        const req: MountRequest = {
          source: opts.source as RsgSourceKind,
          path: p,
          label: opts.label,
          until: parseRestorePoint(opts.until),
          mailbox: opts.mailbox ? parseRsgMailbox(opts.mailbox) : undefined,
          selfService: opts.selfService === true,
        };
        const view = progressView(ctx.io, !ctx.json(cmd));
        let info: RsgInfo;
        try {
          info = await ctx.auditedInHome(
            cmd,
            'mountRecoveryGroup',
            '/recovery-groups',
            () =>
              cat.mount(req, {
                onProgress: (pr) =>
                  view.update(
                    pr.items,
                    pr.totalItems,
                    `${pr.phase} ${pr.itemsPerSecond}/s${pr.etaSeconds !== undefined ? ` ETA ${pr.etaSeconds}s` : ''}`,
                  ),
              }),
            (r) => ({ id: r.id, source: r.source.kind, path: r.source.path }),
            // as the API records the end of a mount it runs in the background
            (r) => ({
              action: 'mountRecoveryGroup.finished',
              target: `/recovery-groups/${r.id}`,
              outcome: r.state === 'mounted' ? 'ok' : 'failed',
              code: r.error?.code ?? null,
              detail: { items: r.counts.items, problems: r.report.problemCount },
            }),
          );
        } finally {
          view.stop();
          cat.close();
        }
        ctx.out(cmd, rsgView(info), () => describe(info));
        if (info.state === 'failed') {
          ctx.note(`error[${info.error?.code ?? 'INTERNAL'}]: ${info.error?.message ?? 'the mount failed'}`);
          const code = info.error?.code;
          // the exit code of the error that failed the mount (BACKUP_CORRUPT, SOURCE_CORRUPT: 2)
          process.exitCode = code && code in EXIT_FOR ? EXIT_FOR[code as ErrorCode] : EXIT.failure;
        }
      },
    );
  rsg
    .command('list')
    .description('every recovery group with its state and size')
    .action((_o: unknown, cmd: Command) => {
      const cat = openRsgCatalogue(ctx.config(cmd), ctx.clock);
      const all = cat.list();
      ctx.out(cmd, { recoveryGroups: all.map(rsgView) }, () =>
        all.length === 0
          ? 'No recovery groups.'
          : table([
              ['ID', 'LABEL', 'SOURCE', 'STATE', 'ITEMS', 'SIZE', 'MOUNTED'],
              ...all.map((r) => [
                r.id,
                r.label,
                r.source.kind,
                r.state,
                String(r.counts.items),
                fmtBytes(r.counts.bytes),
                fmtDate(r.mountedMs ?? null),
              ]),
            ]),
      );
    });
  rsg
    .command('show <rsg-id>')
    .description('one recovery group: source, state, counts, mount report')
    .action((id: string, _o: unknown, cmd: Command) => {
      const info = openRsgCatalogue(ctx.config(cmd), ctx.clock).get(id);
      ctx.out(cmd, rsgView(info), () => describe(info));
    });
  rsg
    .command('unmount <rsg-id>')
    .description('remove what the mount created; the source is never touched')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const cat = openRsgCatalogue(ctx.config(cmd), ctx.clock);
      const info = await ctx.auditedInHome(
        cmd,
        'unmountRecoveryGroup',
        `/recovery-groups/${id}`,
        () => cat.unmount(id),
        (r) => ({ label: r.label }),
      );
      ctx.out(cmd, { unmounted: info.id, label: info.label }, () => `Unmounted ${info.id} (${info.label})`);
    });
}
