import type Database from 'better-sqlite3';
import { hasSearchSchema } from './schema.js';

/**
 * The attachment file names the index recorded for an item, in message order (empty when it
 * has none, is not indexed, or the database has no search index). For selections by
 * attachment name (merges, jobs).
 */
export function attachmentNamesOf(db: Database.Database, itemId: number): string[] {
  if (!hasSearchSchema(db)) {
    return [];
  }
  const r = db.prepare('SELECT attachments FROM search_docs WHERE id = ?').get(itemId) as
    { attachments: string } | undefined;
  return r ? r.attachments.split('\n').filter((n) => n !== '') : [];
}
