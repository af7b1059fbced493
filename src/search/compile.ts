/**
 * QueryAst → ONE SQL statement that finds, sorts, pages and describes the hits (and a
 * second one that counts them). All user text travels as bound parameters.
 *
 * Shape of the statement:
 *   WITH hits AS MATERIALIZED (SELECT id, score, sortMs FROM <driving FTS table> JOIN items … WHERE …),
 *        page AS (SELECT … FROM hits WHERE <after cursor> ORDER BY <sort key> LIMIT ?)
 *   SELECT <hit columns>, <start of the body>, (SELECT count(*) FROM hits) FROM page JOIN items …
 * The full-text query runs once; the rows of the page only are joined to their details
 * (snippets are made from the start of the body by snippet.ts). A page of words ranked by
 * relevance with no other condition scores and counts on the FTS5 table alone (rankedPage).
 */
import type { QueryAst } from './ast.js';
import { SNIPPET_SCAN_CHARS } from './snippet.js';
import { queryParts, renderExpr, toSql, type Frag, type FtsTable, type SqlValue } from './where.js';

export type SortOrder = 'relevance' | 'date';

/** The position after the last hit of a page (what a cursor encodes). */
export type SortKey =
  | { sort: 'relevance'; score: number; sortMs: number; itemId: number }
  | { sort: 'date'; sortMs: number; itemId: number };

export interface CompileOptions {
  /** Resolves relative dates (today, last7days, …); UTC milliseconds. */
  now: number;
  /** Default 'relevance'; a query without words is always sorted by date. */
  sort?: SortOrder;
  /** Only items of this mailbox (mailboxes.id). */
  mailboxId?: number;
  /** Continue after this sort key (a decoded cursor). */
  after?: SortKey;
  /** Rows to return; undefined: all. */
  limit?: number;
}

export interface CompiledQuery {
  /** The page: rows of HitRow, in order. */
  sql: string;
  params: SqlValue[];
  /** The number of hits, cursor and limit aside (also in every row of `sql`). */
  count: { sql: string; params: SqlValue[] };
  /** The order actually used. */
  sort: SortOrder;
}

/** A row of CompiledQuery.sql. */
export interface HitRow {
  itemId: number;
  score: number;
  sortMs: number;
  messageId: string | null;
  mailbox: string;
  folder: string;
  from: string;
  subject: string;
  size: number;
  hasAttachment: number;
  /** The start of the body text, for the snippet (snippet.ts). */
  body: string | null;
  /** The item's identity (message.ts): what "compare with production" looks up. */
  identity: string;
  /** Number of hits (cursor and limit aside), repeated on every row. */
  total: number;
}

/** bm25 column weights, in TEXT_COLUMNS order: subject, body, attachments, from, to, cc, bcc. */
const TEXT_WEIGHTS = '4.0, 1.0, 2.0, 2.0, 1.0, 1.0, 1.0';
const DRIVER_PREFERENCE: FtsTable[] = ['search_text', 'search_addr'];

function pickDriver(parts: Frag[]): Extract<Frag, { k: 'fts' }> | undefined {
  for (const table of DRIVER_PREFERENCE) {
    const f = parts.find((p) => p.k === 'fts' && !p.neg && p.table === table);
    if (f?.k === 'fts') {
      return f;
    }
  }
  return undefined;
}

const AFTER_RELEVANCE = 'score > ? OR (score = ? AND (sortMs < ? OR (sortMs = ? AND itemId < ?)))';

/**
 * A page of a full-text query ranked by relevance with no other condition (no filter on the
 * items' columns, no mailbox): the common "find this word" search. Scoring and counting need
 * the FTS5 table alone; only the rows that can be on the page are joined to `items` for the
 * tie-break on the date. For a broad word that was most of the work: `enron` (37,388 of the
 * 40,960 Enron messages) looked up every hit's item row to sort them (about half its time).
 *
 * The page holds the first `limit` rows in (score, sortMs DESC, itemId DESC) order, so each has
 * a score no worse than the limit-th best score: rows past that score (`cut`) cannot be on it.
 * After a cursor (score s), the candidates are the rows scoring s or worse; up to k of those, the
 * rows that tie with s, may come before the cursor, so the cut is the (limit + k)-th best score.
 */
function rankedPage(
  table: FtsTable,
  score: string,
  match: { sql: string; params: SqlValue[] },
  limit: number,
  after: SortKey | undefined,
  shape: { hitColumns: string; pageJoin: string; order: string },
): CompiledQuery {
  const a = after?.sort === 'relevance' ? after : undefined;
  const cut = a
    ? `SELECT score FROM scored WHERE score >= ? ORDER BY score LIMIT 1
    OFFSET ? + (SELECT count(*) FROM scored WHERE score = ?)`
    : 'SELECT score FROM scored ORDER BY score LIMIT 1 OFFSET ?';
  const candidates = a ? 'AND s.score >= ?' : '';
  const pageAfter = a ? `WHERE ${AFTER_RELEVANCE}` : '';
  // in the order of the placeholders below
  const params: SqlValue[] = a
    ? [
        ...match.params,
        ...[a.score, limit - 1, a.score], // cut
        a.score, // candidates
        ...[a.score, a.score, a.sortMs, a.sortMs, a.itemId], // pageAfter
        limit,
      ]
    : [...match.params, limit - 1, limit];
  const sql = `WITH scored AS MATERIALIZED (
  SELECT ${table}.rowid AS itemId, ${score} AS score FROM ${table} WHERE ${table} MATCH ${match.sql}
), cut AS (
  ${cut}
), hits AS (
  SELECT s.itemId, s.score, COALESCE(i.date_ms, i.internal_ms) AS sortMs FROM scored s JOIN items i ON i.id = s.itemId
  WHERE (NOT EXISTS (SELECT 1 FROM cut) OR s.score <= (SELECT score FROM cut)) ${candidates}
), page AS (
  SELECT itemId, score, sortMs FROM hits ${pageAfter} ORDER BY ${shape.order} LIMIT ?
)
${shape.hitColumns}
  (SELECT count(*) FROM scored) AS total
${shape.pageJoin}`;
  return {
    sql,
    params,
    count: {
      sql: `SELECT count(*) AS n FROM ${table} WHERE ${table} MATCH ${match.sql}`,
      params: match.params,
    },
    sort: 'relevance',
  };
}

/** Build the statements for `ast`. Pure: no database access. */
export function compileQuery(ast: QueryAst, opts: CompileOptions): CompiledQuery {
  const parts = queryParts(ast, opts.now);
  const driver = pickDriver(parts);
  const rest = parts.filter((p) => p !== driver).map(toSql);
  const where: string[] = [];
  const whereParams: SqlValue[] = [];
  let from = 'items i';
  let score = '0';
  const match = driver ? renderExpr(driver.expr) : undefined;
  if (driver && match) {
    const t = driver.table;
    from = `${t} JOIN items i ON i.id = ${t}.rowid`;
    where.push(`${t} MATCH ${match.sql}`);
    whereParams.push(...match.params);
    if (opts.sort !== 'date') {
      score = t === 'search_addr' ? `bm25(${t})` : `bm25(${t}, ${TEXT_WEIGHTS})`;
    }
  }
  for (const r of rest) {
    where.push(`(${r.sql})`);
    whereParams.push(...r.params);
  }
  if (opts.mailboxId !== undefined) {
    where.push('i.mailbox_id = ?');
    whereParams.push(opts.mailboxId);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const sort: SortOrder = driver && opts.sort !== 'date' ? 'relevance' : 'date';
  const order = sort === 'relevance' ? 'score, sortMs DESC, itemId DESC' : 'sortMs DESC, itemId DESC';

  const hitColumns = `SELECT p.itemId, p.score, p.sortMs, COALESCE(i.message_id, d.message_id) AS messageId, m.address AS mailbox,
  i.folder_path AS folder, COALESCE(NULLIF(d.from_text, ''), i.from_addr) AS "from",
  COALESCE(NULLIF(d.subject, ''), i.subject) AS subject, i.size AS size,
  COALESCE(d.has_attachment, 0) AS hasAttachment, substr(d.body, 1, ${SNIPPET_SCAN_CHARS}) AS body,
  i.identity AS identity,`;
  const pageJoin = `FROM page p JOIN items i ON i.id = p.itemId JOIN mailboxes m ON m.id = i.mailbox_id
LEFT JOIN search_docs d ON d.id = p.itemId
ORDER BY ${order.replace(/\b(score|sortMs|itemId)\b/g, 'p.$1')}`;
  if (
    driver &&
    match &&
    sort === 'relevance' &&
    rest.length === 0 &&
    opts.mailboxId === undefined &&
    opts.limit
  ) {
    return rankedPage(driver.table, score, match, opts.limit, opts.after, { hitColumns, pageJoin, order });
  }

  const params: SqlValue[] = [...whereParams];
  let after = '';
  if (opts.after) {
    const a = opts.after;
    if (a.sort === 'relevance') {
      after = `WHERE ${AFTER_RELEVANCE}`;
      params.push(a.score, a.score, a.sortMs, a.sortMs, a.itemId);
    } else {
      after = 'WHERE sortMs < ? OR (sortMs = ? AND itemId < ?)';
      params.push(a.sortMs, a.sortMs, a.itemId);
    }
  }
  let limit = '';
  if (opts.limit !== undefined) {
    limit = 'LIMIT ?';
    params.push(opts.limit);
  }
  const sql = `WITH hits AS MATERIALIZED (
  SELECT i.id AS itemId, ${score} AS score, COALESCE(i.date_ms, i.internal_ms) AS sortMs FROM ${from} ${whereSql}
), page AS (
  SELECT itemId, score, sortMs FROM hits ${after} ORDER BY ${order} ${limit}
)
${hitColumns}
  (SELECT count(*) FROM hits) AS total
${pageJoin}`;
  return {
    sql,
    params,
    count: { sql: `SELECT count(*) AS n FROM ${from} ${whereSql}`, params: whereParams },
    sort,
  };
}
