/**
 * The store: one database directory — metadata in SQLite, message contents once per database
 * (single-instance blobs), every change first in the transaction log.
 *
 * Invariants: prefix + blob content = an item's exact bytes; a blob's refcount (blob_refs,
 * apart from the never-updated row of its content) equals the number of items that point at
 * it, and a blob is removed when it falls to zero (its file only
 * while no backup holds a lease and, once the database has backups, only after a backup covers
 * the release); a write is acknowledged only after its log record is durable;
 * every row change comes from applying a logged operation, so replay rebuilds the same state —
 * except a bulk load (bulk-load.ts), which fills a new database that nobody opens before it is
 * finished and made durable, and that has no log (a converted RSG).
 */
export * from './database.js';
export * from './folders.js';
export * from './mailbox-store.js';
export * from './message.js';
export type { StoreExtension, OpHandler } from './apply.js';
export type { Op, CoreOp, ItemRow, ExtensionOp } from './ops.js';
export { listSegments, segmentFileName } from './txlog.js';
export { stmt } from './stmt.js';
export * from './backup.js';
export * from './check.js';
export * from './bulk-load.js';
