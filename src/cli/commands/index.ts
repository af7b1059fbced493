import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerAudit } from './audit.js';
import { registerBackup } from './backup.js';
import { registerDb } from './db.js';
import { registerDeliver } from './deliver.js';
import { registerDumpster } from './dumpster.js';
import { registerInit } from './init.js';
import { registerItem } from './item.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import { registerJob } from './job.js';
import { registerMailbox } from './mailbox.js';
import { registerMerge } from './merge.js';
import { registerRsg } from './rsg.js';
import { registerSearch } from './search.js';
import { registerServe } from './serve.js';
import { registerToken } from './token.js';

/** One line per command group. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerInit(program, ctx);
  registerMailbox(program, ctx);
  registerDeliver(program, ctx);
  registerItem(program, ctx);
  registerDumpster(program, ctx);
  registerDb(program, ctx);
  registerBackup(program, ctx);
  registerRsg(program, ctx);
  registerMerge(program, ctx);
  registerImport(program, ctx);
  registerSearch(program, ctx);
  registerJob(program, ctx);
  registerExport(program, ctx);
  registerServe(program, ctx);
  registerToken(program, ctx);
  registerAudit(program, ctx);
}
