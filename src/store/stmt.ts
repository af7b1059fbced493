import type BetterSqlite3 from 'better-sqlite3';

const cache = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/** A prepared statement, cached per connection: preparing costs more than running on hot paths. */
export function stmt(db: BetterSqlite3.Database, text: string): BetterSqlite3.Statement {
  let m = cache.get(db);
  if (!m) {
    m = new Map();
    cache.set(db, m);
  }
  let s = m.get(text);
  if (!s) {
    s = db.prepare(text);
    m.set(text, s);
  }
  return s;
}
