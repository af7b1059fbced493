/**
 * The live database as the edges (API, CLI) use it: paged views of mailboxes, folders, items
 * and dumpsters, message rendering, and the changes the API offers — each audited.
 *
 * Invariants: lists are ordered by a unique keyset (so a page never repeats or skips an item
 * when others arrive), cursors are opaque and tied to their list; every change and every
 * privileged read of a message body leaves an audit entry, whatever its outcome.
 */
export * from './caller.js';
export * from './dumpster-service.js';
export * from './mailbox-service.js';
export * from './message-view.js';
export * from './self-restore.js';
export * from './views.js';
