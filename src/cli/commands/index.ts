import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerBackup } from './backup.js';
import { registerDb } from './db.js';
import { registerDeliver } from './deliver.js';
import { registerDumpster } from './dumpster.js';
import { registerInit } from './init.js';
import { registerItem } from './item.js';
import { registerMailbox } from './mailbox.js';

/** One line per command group. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerInit(program, ctx);
  registerMailbox(program, ctx);
  registerDeliver(program, ctx);
  registerItem(program, ctx);
  registerDumpster(program, ctx);
  registerDb(program, ctx);
  registerBackup(program, ctx);
}
