/**
 * The `salvage` command line: parse, dispatch, map errors to exit codes (DESIGN.md, the CLI
 * contract). Results go to stdout (one JSON document with --json), diagnostics to stderr.
 */
import { Command, CommanderError } from 'commander';
import { AppError, isAppError } from '../errors.js';
import { registerCommands } from './commands/index.js';
import { CliContext, type CliIo } from './context.js';
import { EXIT, EXIT_FOR } from './exit-codes.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('salvage')
    .description('Granular mailbox recovery: restore, mount, search and merge mail back into live mailboxes.')
    .option('--home <dir>', 'the instance home (default: $SALVAGE_HOME, else ./data)')
    .option('--json', 'print one JSON document instead of text')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      // usage errors follow the same `error[CODE]: …` form as every other error
      outputError: (s, write) => write(s.replace(/^error: /, 'error[VALIDATION_FAILED]: ')),
    });
  registerCommands(program, ctx);
  return program;
}

/** Run the CLI with these arguments and streams; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io);
  const program = buildProgram(ctx);
  const json = argv.includes('--json');
  // commands report a non-error outcome through process.exitCode; read only what this run set,
  // and leave the process's own exit code as it was (runCli may run many times in one process)
  const outer = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) {
        return EXIT.ok;
      }
      if (json) {
        const message = err.message.replace(/^error: /, '');
        io.stdout.write(JSON.stringify({ error: { code: 'VALIDATION_FAILED', message } }, null, 2) + '\n');
      }
      return EXIT.invalid;
    }
    const e = isAppError(err)
      ? err
      : new AppError('INTERNAL', err instanceof Error ? err.message : String(err), {}, { cause: err });
    io.stderr.write(`error[${e.code}]: ${e.message}\n`);
    const errors = e.details.errors;
    if (Array.isArray(errors)) {
      for (const x of errors as { path?: string; message?: string }[]) {
        io.stderr.write(`  ${x.path ?? ''}: ${x.message ?? ''}\n`);
      }
    }
    if (json) {
      io.stdout.write(
        JSON.stringify({ error: { code: e.code, message: e.message, ...e.details } }, null, 2) + '\n',
      );
    }
    if (!isAppError(err) && err instanceof Error && err.stack) {
      io.stderr.write(err.stack + '\n');
    }
    return EXIT_FOR[e.code];
  } finally {
    process.exitCode = outer;
  }
}

/** Entry point of bin/salvage. */
export async function runMain(argv: string[]): Promise<void> {
  const code = await runCli(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
  process.exitCode = code;
}
