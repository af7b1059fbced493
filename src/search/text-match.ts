/**
 * Text restrictions → FTS5 expressions. An expression is built from FTS5 string literals
 * (user text escaped: double quotes doubled) and column filters, and reaches SQLite as
 * bound parameters only.
 *
 * A free word is stemmed (Porter2, stem.ts) and matches every indexed word of the same stem:
 * its piece of the expression is a scalar subquery over search_stems that renders
 * `("meet" OR "meeting" OR …)`, the query word and stem themselves being bound parameters.
 */
import type { QueryAst, TextField } from './ast.js';
import { ADDRESS_COLUMNS, TEXT_COLUMNS, type AddressColumn, type TextColumn } from './schema.js';
import { foldToken, stem } from './stem.js';

export type FtsTable = 'search_text' | 'search_addr';
export type SqlValue = string | number | null;

/** A piece of an FTS5 expression: literal text, or the word forms of a stem (from search_stems). */
type Piece = string | { word: string; stem: string; self: string };
/** An FTS5 expression in pieces; rendered to a SQL string expression with bound parameters. */
export type FtsExpr = Piece[];

/** Concatenate pieces and literal text, merging adjacent literal text. */
export function cat(...parts: (FtsExpr | string)[]): FtsExpr {
  const out: Piece[] = [];
  for (const p of parts.flatMap((x) => (typeof x === 'string' ? [x] : x))) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') {
      out[out.length - 1] = last + p;
    } else {
      out.push(p);
    }
  }
  return out;
}

const WORD_FORMS = `(SELECT '(' || group_concat('"' || replace(term, '"', '""') || '"', ' OR ') || ')'
  FROM (SELECT ? AS term UNION SELECT ? UNION SELECT term FROM search_stems WHERE stem = ?))`;

/** The SQL expression (bound parameters only) whose value is the FTS5 expression. */
export function renderExpr(expr: FtsExpr): { sql: string; params: SqlValue[] } {
  const sql: string[] = [];
  const params: SqlValue[] = [];
  for (const p of expr) {
    if (typeof p === 'string') {
      sql.push('?');
      params.push(p);
    } else {
      sql.push(WORD_FORMS);
      params.push(p.word, p.self, p.stem);
    }
  }
  return { sql: sql.join(' || '), params };
}

/** `(a) AND (b)` / `(a) OR (b)` of FTS5 expressions. */
export function ftsJoin(op: 'AND' | 'OR', exprs: FtsExpr[]): FtsExpr {
  if (exprs.length === 1) {
    return exprs[0] as FtsExpr;
  }
  return cat(...exprs.flatMap((e, i) => [i === 0 ? '(' : `) ${op} (`, e]), ')');
}

const TEXT_FIELD_COLUMNS: Record<TextField, readonly TextColumn[]> = {
  any: TEXT_COLUMNS,
  subject: ['subject'],
  body: ['body'],
  attachment: ['attachments'],
  from: ['from_text'],
  to: ['to_text', 'cc_text', 'bcc_text'], // as notmuch: any recipient (To, Cc, Bcc)
  cc: ['cc_text'],
  bcc: ['bcc_text'],
  participants: ['from_text', 'to_text', 'cc_text', 'bcc_text'],
};

/**
 * Fields whose words match their English word forms. Subject and address words match
 * exactly, as in notmuch, where subject: and from: are not stemmed (they take regular
 * expressions there); names and addresses are not English words anyway.
 */
const STEMMED_FIELDS = new Set<TextField>(['any', 'body', 'attachment']);

const ADDRESS_FIELD_COLUMNS: Partial<Record<TextField, readonly AddressColumn[]>> = {
  from: ['from_addr'],
  to: ['to_addr', 'cc_addr', 'bcc_addr'],
  cc: ['cc_addr'],
  bcc: ['bcc_addr'],
  participants: ADDRESS_COLUMNS,
};

/** The words of a text as the search_text tokenizer splits it (letters, digits, marks, '_'). */
export function wordTokens(text: string): string[] {
  return text.match(/[\p{L}\p{N}\p{M}\p{Co}_]+/gu) ?? [];
}

/** An FTS5 string literal: double quotes, inner quotes doubled. */
export function ftsString(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

function columnFilter(cols: readonly string[], inner: FtsExpr | string): FtsExpr {
  return cat(`{${cols.join(' ')}} : `, inner);
}

/** A free word: every indexed word with its Porter2 stem. */
function wordForms(token: string): FtsExpr | string {
  const word = foldToken(token);
  const s = stem(word);
  if (s === word && !/^[a-z]+$/.test(word)) {
    return ftsString(word); // not an English word: no other form can share its stem
  }
  return [{ word, stem: s, self: stem(s) === s ? s : word }];
}

/** A value to look up in the address index: one token with '@' or '.', trimmed. */
function addressValue(field: TextField, value: string): string | undefined {
  if (!ADDRESS_FIELD_COLUMNS[field]) {
    return undefined;
  }
  const v = value
    .trim()
    .toLowerCase()
    .replace(/^[^\p{L}\p{N}@]+/u, '')
    .replace(/[^\p{L}\p{N}]+$/u, '');
  return /^[^\s]*[@.][^\s]*$/.test(v) && wordTokens(v).length > 0 ? v : undefined;
}

/** The FTS table and expression of a text restriction, or undefined: nothing to search. */
export function textMatch(
  n: Extract<QueryAst, { type: 'text' }>,
): { table: FtsTable; expr: FtsExpr } | undefined {
  const addr = addressValue(n.field, n.value);
  const addrCols = ADDRESS_FIELD_COLUMNS[n.field];
  if (addr !== undefined && addrCols) {
    const lit = ftsString(addr) + (n.match === 'prefix' ? '*' : '');
    return { table: 'search_addr', expr: columnFilter(addrCols, lit) };
  }
  const tokens = wordTokens(n.value);
  if (tokens.length === 0) {
    return undefined; // nothing searchable (punctuation only): ignored, as Xapian ignores it
  }
  const cols = TEXT_FIELD_COLUMNS[n.field];
  if (n.match === 'word' && tokens.length === 1) {
    const token = tokens[0] as string;
    const forms = STEMMED_FIELDS.has(n.field) ? wordForms(token) : ftsString(token);
    return { table: 'search_text', expr: columnFilter(cols, forms) };
  }
  const lit = ftsString(tokens.join(' ')) + (n.match === 'prefix' ? '*' : '');
  return { table: 'search_text', expr: columnFilter(cols, lit) };
}
