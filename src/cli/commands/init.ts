import type { Command } from 'commander';
import { homePaths } from '../../config.js';
import { initHome } from '../../services.js';
import { type CliContext, intOption } from '../context.js';

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create the home: an empty live database and salvage.json')
    .option('--retention-days <n>', 'default dumpster retention of the live database, in days', '14')
    .action((opts: { retentionDays: string }, cmd: Command) => {
      const retentionDays = intOption('--retention-days', opts.retentionDays)!;
      const config = ctx.config(cmd, { retentionDays });
      const p = homePaths(config.home);
      const id = initHome(config, ctx.clock);
      ctx.out(cmd, { home: config.home, live: p.live, databaseId: id, retentionDays }, () =>
        [
          `Initialised ${config.home}`,
          `  live database ${p.live} (id ${id})`,
          `  dumpster retention ${retentionDays} days`,
        ].join('\n'),
      );
    });
}
