/// <reference lib="dom" />
/** "Recover deleted items" (`/me`): an end user's dumpster and, where allowed, their backups. */
import { byId, fill, h, showProblem } from '../dom.js';
import { startSession } from '../session.js';
import { initBackup } from './backup.js';
import { initDumpster } from './dumpster.js';

startSession(async (me) => {
  if (me.role !== 'user' || !me.mailbox) {
    for (const id of ['filters', 'filter-count', 'dumpster-list', 'restore']) {
      byId(id).hidden = true;
    }
    fill(
      byId('dumpster-intro'),
      'This page is for people recovering their own mail, and your token belongs to no mailbox. ',
      h('a', { href: '/' }, 'Open the help desk console'),
      ' instead.',
    );
    return;
  }
  try {
    await initDumpster(me.mailbox.effectiveRetentionDays);
  } catch (err) {
    showProblem(byId('dumpster-error'), err);
  }
  await initBackup(() => undefined);
  byId('dumpster-title').focus();
});
