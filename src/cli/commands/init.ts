import fs from 'node:fs';
import type { Command } from 'commander';
import { homePaths } from '../../config.js';
import { LIVE_EXTENSIONS } from '../../extensions.js';
import { writeFileDurable } from '../../lib/fs.js';
import { Database } from '../../store/index.js';
import { type CliContext, intOption } from '../context.js';

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create the home: an empty live database and salvage.json')
    .option('--retention-days <n>', 'default dumpster retention of the live database, in days', '14')
    .action((opts: { retentionDays: string }, cmd: Command) => {
      const config = ctx.config(cmd);
      const p = homePaths(config.home);
      const retentionDays = intOption('--retention-days', opts.retentionDays)!;
      const db = Database.create(p.live, { clock: ctx.clock, retentionDays, extensions: LIVE_EXTENSIONS });
      const id = db.id;
      db.close();
      fs.mkdirSync(p.rsg, { recursive: true });
      if (!fs.existsSync(p.settings)) {
        writeFileDurable(p.settings, JSON.stringify({ retentionDays, port: config.port }, null, 2) + '\n');
      }
      ctx.out(cmd, { home: config.home, live: p.live, databaseId: id, retentionDays }, () =>
        [
          `Initialised ${config.home}`,
          `  live database ${p.live} (id ${id})`,
          `  dumpster retention ${retentionDays} days`,
        ].join('\n'),
      );
    });
}
