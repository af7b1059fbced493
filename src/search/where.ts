/**
 * QueryAst → the conditions of the SQL statement that compile.ts assembles. Text restrictions
 * become FTS5 MATCH expressions (text-match.ts); exact filters become SQL on
 * items/mailboxes/search_docs with bound parameters. No user text is ever part of the SQL text.
 *
 * Subtrees that use one FTS table only are merged into one MATCH expression (FTS5 has
 * AND, OR, and binary NOT). One positive MATCH of the top-level conjunction drives the query
 * (FROM the FTS table, for bm25 ranking and snippets); every other one is an
 * `items.id [NOT] IN (SELECT rowid FROM table WHERE table MATCH ?)` term.
 */
import type { QueryAst } from './ast.js';
import { resolveDate } from './dates.js';
import {
  cat,
  ftsJoin,
  renderExpr,
  textMatch,
  type FtsExpr,
  type FtsTable,
  type SqlValue,
} from './text-match.js';

export type { FtsTable, SqlValue } from './text-match.js';

type Frag =
  | { k: 'const'; v: boolean }
  | { k: 'fts'; table: FtsTable; expr: FtsExpr; neg: boolean }
  | { k: 'sql'; sql: string; params: SqlValue[] };

const TRUE: Frag = { k: 'const', v: true };

function textFrag(n: Extract<QueryAst, { type: 'text' }>): Frag {
  const m = textMatch(n);
  return m ? { k: 'fts', table: m.table, expr: m.expr, neg: false } : TRUE;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const SENT = 'i.date_ms';
const RECEIVED = 'i.internal_ms';

/** SQL for a date column within [start, end) bounds; a missing Date header never matches. */
function dateSql(column: string, lo: number | null, hi: number | null): Frag {
  const parts = column === SENT ? [`${SENT} IS NOT NULL`] : [];
  const params: SqlValue[] = [];
  if (lo !== null) {
    parts.push(`${column} >= ?`);
    params.push(lo);
  }
  if (hi !== null) {
    parts.push(`${column} < ?`);
    params.push(hi);
  }
  return { k: 'sql', sql: parts.length ? `(${parts.join(' AND ')})` : '1', params };
}

function compareBounds(op: string, start: number, end: number): [number | null, number | null] {
  switch (op) {
    case '<':
      return [null, start];
    case '<=':
      return [null, end];
    case '>':
      return [end, null];
    case '>=':
      return [start, null];
    default:
      return [start, end];
  }
}

function leafFrag(n: QueryAst, now: number): Frag {
  switch (n.type) {
    case 'text':
      return textFrag(n);
    case 'date': {
      const r = resolveDate(n.value, now);
      const [lo, hi] = compareBounds(n.op, r.start, r.end);
      return dateSql(n.field === 'sent' ? SENT : RECEIVED, lo, hi);
    }
    case 'dateRange':
      return dateSql(
        n.field === 'sent' ? SENT : RECEIVED,
        n.from ? resolveDate(n.from, now).start : null,
        n.to ? resolveDate(n.to, now).end : null,
      );
    case 'size': {
      const [lo, hi] = compareBounds(n.op, n.bytes, n.bytes + 1);
      return dateSql('i.size', lo, hi);
    }
    case 'sizeRange':
      return dateSql('i.size', n.min, n.max === null ? null : n.max + 1);
    case 'flag':
      return flagFrag(n.flag, n.value);
    case 'folder': {
      const v = likeEscape(n.path);
      const like = "i.folder_path LIKE ? ESCAPE '\\'";
      return {
        k: 'sql',
        sql: `(${[like, like, like, like].join(' OR ')})`,
        params: [v, `${v}/%`, `%/${v}`, `%/${v}/%`],
      };
    }
    case 'mailbox': {
      const v = likeEscape(n.address.trim());
      const sql =
        "i.mailbox_id IN (SELECT id FROM mailboxes WHERE address LIKE ? ESCAPE '\\' OR address LIKE ? ESCAPE '\\')";
      return { k: 'sql', sql, params: [v, `${v}@%`] };
    }
    case 'and':
    case 'or':
    case 'not':
      return compileNode(n, now);
  }
}

function flagFrag(flag: string, value: boolean): Frag {
  const sql = {
    hasattachment: 'i.id IN (SELECT id FROM search_docs WHERE has_attachment = 1)',
    isread: "instr(' ' || lower(i.flags) || ' ', ' \\seen ') > 0",
    isflagged: "instr(' ' || lower(i.flags) || ' ', ' \\flagged ') > 0",
    isdeleted: 'i.deleted_ms IS NOT NULL',
  }[flag];
  return { k: 'sql', sql: value ? `(${sql})` : `NOT (${sql})`, params: [] };
}

function toSql(f: Frag): { sql: string; params: SqlValue[] } {
  switch (f.k) {
    case 'const':
      return { sql: f.v ? '1' : '0', params: [] };
    case 'sql':
      return f;
    case 'fts': {
      const m = renderExpr(f.expr);
      const sql = `i.id ${f.neg ? 'NOT ' : ''}IN (SELECT rowid FROM ${f.table} WHERE ${f.table} MATCH ${m.sql})`;
      return { sql, params: m.params };
    }
  }
}

function sqlJoin(op: 'AND' | 'OR', frags: Frag[]): Frag {
  if (frags.length === 1) {
    return frags[0] as Frag;
  }
  const parts = frags.map(toSql);
  return {
    k: 'sql',
    sql: parts.map((p) => `(${p.sql})`).join(` ${op} `),
    params: parts.flatMap((p) => p.params),
  };
}

/** The conjuncts of an AND, with FTS terms of one table merged. A `false` conjunct wins. */
export function andParts(frags: Frag[]): Frag[] {
  if (frags.some((f) => f.k === 'const' && !f.v)) {
    return [{ k: 'const', v: false }];
  }
  const out: Frag[] = [];
  const byTable = new Map<FtsTable, { pos: FtsExpr[]; neg: FtsExpr[] }>();
  for (const f of frags) {
    if (f.k === 'fts') {
      const g = byTable.get(f.table) ?? { pos: [], neg: [] };
      (f.neg ? g.neg : g.pos).push(f.expr);
      byTable.set(f.table, g);
    } else if (f.k === 'sql') {
      out.push(f);
    }
  }
  for (const [table, g] of byTable) {
    if (g.pos.length > 0) {
      const pos = ftsJoin('AND', g.pos);
      const expr = g.neg.length > 0 ? cat('(', pos, ') NOT (', ftsJoin('OR', g.neg), ')') : pos;
      out.unshift({ k: 'fts', table, expr, neg: false });
    } else {
      out.push({ k: 'fts', table, expr: ftsJoin('OR', g.neg), neg: true });
    }
  }
  return out;
}

function negate(f: Frag): Frag {
  switch (f.k) {
    case 'const':
      return { k: 'const', v: !f.v };
    case 'fts':
      return { ...f, neg: !f.neg };
    case 'sql':
      return { k: 'sql', sql: `NOT (${f.sql})`, params: f.params };
  }
}

function compileNode(n: QueryAst, now: number): Frag {
  if (n.type !== 'and' && n.type !== 'or' && n.type !== 'not') {
    return leafFrag(n, now);
  }
  switch (n.type) {
    case 'and': {
      const parts = andParts(n.items.map((i) => compileNode(i, now)));
      return parts.length === 0 ? TRUE : sqlJoin('AND', parts);
    }
    case 'or': {
      const frags = n.items.map((i) => compileNode(i, now));
      if (frags.some((f) => f.k === 'const' && f.v)) {
        return TRUE;
      }
      const rest: Frag[] = [];
      const byTable = new Map<FtsTable, FtsExpr[]>();
      for (const f of frags) {
        if (f.k === 'fts' && !f.neg) {
          byTable.set(f.table, [...(byTable.get(f.table) ?? []), f.expr]);
        } else if (f.k !== 'const') {
          rest.push(f);
        }
      }
      for (const [table, exprs] of byTable) {
        rest.unshift({ k: 'fts', table, expr: ftsJoin('OR', exprs), neg: false });
      }
      return rest.length === 0 ? { k: 'const', v: false } : sqlJoin('OR', rest);
    }
    case 'not':
      return negate(compileNode(n.item, now));
  }
}

/** The top-level conjuncts of a query, for compileQuery (compile.ts). */
export function queryParts(ast: QueryAst, now: number): Frag[] {
  return ast.type === 'and'
    ? andParts(ast.items.map((i) => compileNode(i, now)))
    : andParts([compileNode(ast, now)]);
}

export { renderExpr, toSql, type Frag };
