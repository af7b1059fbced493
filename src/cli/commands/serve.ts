import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { createApp } from '../../app.js';
import { homePaths } from '../../config.js';
import { demoBanner, prepareDemo } from '../../demo/index.js';
import { AppError } from '../../errors.js';
import { buildServices, ensureHome } from '../../services.js';
import type { CliContext } from '../context.js';

/** Resolves with the signal's name on SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (sig: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(sig);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the REST API (under /api/v1) over the live database until SIGINT/SIGTERM')
    .option('--port <n>', 'TCP port (default: $SALVAGE_PORT, salvage.json, else 8080; 0 picks a free one)')
    .option('--host <address>', 'listen address (default: $SALVAGE_HOST, else 127.0.0.1)')
    .option(
      '--demo',
      'create a home with no live database yet and seed the demo in it (npm start; SALVAGE_DEMO=0: empty)',
    )
    .action(async (opts: { port?: string; host?: string; demo?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd, { port: opts.port, host: opts.host, demo: opts.demo });
      const created = config.demo && ensureHome(config, ctx.clock);
      if (created) {
        ctx.note(`Initialised ${homePaths(config.home).home}`);
      }
      // npm start: seed the demo into a new home (SALVAGE_DEMO=0 starts it clean), else reuse it
      const seed = created && !['0', 'false'].includes(ctx.io.env.SALVAGE_DEMO ?? '');
      const demo = config.demo
        ? await prepareDemo(config, ctx.clock, { seed, note: (s) => ctx.note(s) })
        : undefined;
      const services = buildServices(config, { clock: ctx.clock });
      try {
        const server = createApp(services).listen(config.port, config.host);
        const failed = once(server, 'error').then(([err]: unknown[]) => {
          throw new AppError(
            'VALIDATION_FAILED',
            `Cannot listen on ${config.host}:${config.port}`,
            {},
            { cause: err },
          );
        });
        await Promise.race([once(server, 'listening'), failed]);
        const { port } = server.address() as AddressInfo;
        ctx.note(`Salvage API on http://${config.host}:${port}/api/v1 (home ${config.home})`);
        if (config.demo) {
          ctx.note(demoBanner(demo, `http://${config.host}:${port}`, config.home));
        }
        const sig = await untilSignal();
        ctx.note(`${sig}: stopping`);
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } finally {
        await services.close();
      }
    });
}
