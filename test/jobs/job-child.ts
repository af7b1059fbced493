/**
 * A `salvage job run` process for resume.test.ts (not a test itself): the real CLI (runCli of
 * src/cli/main.ts) in a process of its own, so that the test can kill it with SIGKILL.
 *
 *   node --import tsx test/jobs/job-child.ts <home> <job-file> [--resume]
 *
 * It starts, then waits for a line `go` on stdin (Node + tsx take a while to start), then runs
 * the job. Its diagnostics (one line as each mailbox starts and ends) go to stdout, then
 * `exit <code>`.
 */
import readline from 'node:readline';
import { runCli } from '../../src/cli/main.js';

const [home, file, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
const lines = readline.createInterface({ input: process.stdin });
await new Promise<string>((resolve) => lines.once('line', resolve));
lines.close();
process.stdout.write('go\n');
const code = await runCli(['--home', home, 'job', 'run', file, ...rest], {
  stdout: { write: () => true },
  stderr: { write: (s: string) => process.stdout.write(s) },
  stdin: process.stdin,
  env: {},
});
process.stdout.write(`exit ${code}\n`);
