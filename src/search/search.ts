/**
 * search(): parse, compile, run on a (read-only) RSG database, shape hits, page with
 * opaque cursors.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';
import { compileQuery, type HitRow, type SortKey, type SortOrder } from './compile.js';
import { parseQuery } from './parser.js';
import { makeSnippet, matchers, type Matcher } from './snippet.js';
import { stem } from './stem.js';
import { hasSearchSchema } from './schema.js';

export interface SearchOptions {
  /** Only this mailbox (its address, any case). */
  mailbox?: string;
  /** The nextCursor of the previous page. */
  cursor?: string;
  /** Hits per page: default 50, at most 1000. */
  limit?: number;
  /** Every hit in one page (no limit, no cursor). */
  all?: boolean;
  /** Default 'relevance' (bm25); a query without words is sorted by date. */
  sort?: SortOrder;
  /** Resolves relative dates (today, last7days, …); UTC milliseconds. */
  now: number;
}

export interface Hit {
  itemId: number;
  /** Message-ID without angle brackets, or null. */
  messageId: string | null;
  /** Mailbox address. */
  mailbox: string;
  /** Folder path ('Inbox/Projects'); for dumpster items, where it was deleted from. */
  folder: string;
  /** ISO time of the Date header, or when received if it has none. */
  date: string;
  from: string;
  subject: string;
  /** Bytes of the whole message. */
  size: number;
  hasAttachment: boolean;
  /** Text around the matches, each match marked «like this»; whitespace collapsed. */
  snippet: string;
}

export interface SearchResult {
  /** All hits of the query (cursor and limit aside). */
  total: number;
  hits: Hit[];
  /** Present when there are more hits: pass it as `cursor` for the next page. */
  nextCursor?: string;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

/**
 * What a cursor belongs to: the query, the mailbox and the order. A cursor carries it, so a
 * cursor handed back with another query (or mailbox, or order) is refused instead of paging
 * that query from a position in another one.
 */
function cursorScope(query: string, mailbox: string | undefined, sort: SortOrder): string {
  return sha256Hex(Buffer.from(`${sort}\0${mailbox?.toLowerCase() ?? ''}\0${query}`)).slice(0, 16);
}

function encodeCursor(k: SortKey, scope: string): string {
  const a = k.sort === 'relevance' ? ['r', k.score, k.sortMs, k.itemId] : ['d', k.sortMs, k.itemId];
  return Buffer.from(JSON.stringify([...a, scope])).toString('base64url');
}

function decodeCursor(cursor: string, sort: SortOrder, scope: string): SortKey {
  let a: unknown;
  try {
    a = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    a = undefined;
  }
  const scoped = Array.isArray(a) && a[a.length - 1] === scope;
  const nums = Array.isArray(a) ? a.slice(1, -1) : [];
  const ok = scoped && nums.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (Array.isArray(a) && ok && a[0] === 'r' && nums.length === 3 && sort === 'relevance') {
    const [score, sortMs, itemId] = nums as [number, number, number];
    return { sort, score, sortMs, itemId };
  }
  if (Array.isArray(a) && ok && a[0] === 'd' && nums.length === 2 && sort === 'date') {
    const [sortMs, itemId] = nums as [number, number];
    return { sort, sortMs, itemId };
  }
  throw new AppError('VALIDATION_FAILED', 'invalid cursor for this query', {
    errors: [
      {
        where: 'query',
        path: 'cursor',
        message: 'not a cursor of this query, mailbox and order (pass the nextCursor of the same search)',
      },
    ],
  });
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepare(db: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    if (cache.size >= 64) {
      cache.clear();
    }
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

function toHit(r: HitRow, m: { body: Matcher; subject: Matcher }): Hit {
  const body = r.body ?? '';
  return {
    itemId: r.itemId,
    messageId: r.messageId,
    mailbox: r.mailbox,
    folder: r.folder,
    date: new Date(r.sortMs).toISOString(),
    from: r.from,
    subject: r.subject,
    size: r.size,
    hasAttachment: r.hasAttachment === 1,
    snippet:
      makeSnippet(body, m.body) ?? makeSnippet(r.subject, m.subject) ?? makeSnippet(body, undefined) ?? '',
  };
}

/**
 * Search the indexed items of `db`.
 * @throws QUERY_INVALID for a query that does not parse (details: position, query)
 * @throws VALIDATION_FAILED for a bad limit or cursor
 * @throws MAILBOX_NOT_FOUND when `mailbox` is not in the database
 * @throws NOT_FOUND when the database has no search index
 */
export function search(db: Database.Database, query: string, opts: SearchOptions): SearchResult {
  return searchIdentified(db, query, opts).result;
}

/**
 * search(), and beside it the identity (message.ts) of each hit, in order: what a caller needs
 * to find the same messages in another database (the live status of a hit), read in the same
 * query. @throws as search()
 */
export function searchIdentified(
  db: Database.Database,
  query: string,
  opts: SearchOptions,
): { result: SearchResult; identities: string[] } {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new AppError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_LIMIT}`, {
      errors: [{ where: 'query', path: 'limit', message: `an integer from 1 to ${MAX_LIMIT}` }],
    });
  }
  if (!hasSearchSchema(db)) {
    throw new AppError('NOT_FOUND', 'this database has no search index');
  }
  const ast = parseQuery(query);
  let mailboxId: number | undefined;
  if (opts.mailbox !== undefined) {
    const id = prepare(db, 'SELECT id FROM mailboxes WHERE address = ? COLLATE NOCASE')
      .pluck()
      .get(opts.mailbox) as number | undefined;
    if (id === undefined) {
      throw new AppError('MAILBOX_NOT_FOUND', `No mailbox '${opts.mailbox}' in this database`, {
        mailbox: opts.mailbox,
      });
    }
    mailboxId = id;
  }
  const base = { now: opts.now, sort: opts.sort, mailboxId };
  const sortUsed = compileQuery(ast, base).sort;
  const scope = cursorScope(query, opts.mailbox, sortUsed);
  const after =
    opts.cursor !== undefined && !opts.all ? decodeCursor(opts.cursor, sortUsed, scope) : undefined;
  const compiled = compileQuery(ast, { ...base, after, limit: opts.all ? undefined : limit + 1 });
  const rows = prepare(db, compiled.sql).all(...compiled.params) as HitRow[];
  const total =
    rows[0]?.total ??
    (prepare(db, compiled.count.sql)
      .pluck()
      .get(...compiled.count.params) as number);
  const more = !opts.all && rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const formsOf = (s: string): string[] => [
    ...(stem(s) === s ? [s] : []),
    ...(prepare(db, 'SELECT term FROM search_stems WHERE stem = ?').pluck().all(s) as string[]),
  ];
  const m = matchers(ast, formsOf);
  const result: SearchResult = { total, hits: page.map((r) => toHit(r, m)) };
  const last = page[page.length - 1];
  if (more && last) {
    result.nextCursor = encodeCursor(
      sortUsed === 'relevance'
        ? { sort: 'relevance', score: last.score, sortMs: last.sortMs, itemId: last.itemId }
        : { sort: 'date', sortMs: last.sortMs, itemId: last.itemId },
      scope,
    );
  }
  return { result, identities: page.map((r) => r.identity) };
}
