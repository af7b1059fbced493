/**
 * The query language (KQL-like) → QueryAst. Grammar, loosest binding first:
 *
 *   query   = or
 *   or      = and { "OR" and }
 *   and     = unary { ["AND"] unary }            juxtaposition means AND
 *   unary   = "NOT" unary | "-" primary | primary
 *   primary = "(" or ")" | '"' phrase '"' | word | property
 *   property = name (":" | op) value              op: = < <= > >=   value: word | "phrase" | (group)
 *
 * AND, OR and NOT are operators in upper case only; in lower case they are words.
 * Errors throw AppError('QUERY_INVALID') with details { position, query }.
 */
import { findProperty, type CompareOp, type QueryAst, type Span, type TextField } from './ast.js';
import { fail, lex, type Token } from './lexer.js';
import { dateTerm, sizeTerm } from './values.js';

const OPERATORS = new Set(['AND', 'OR', 'NOT']);
/** Bounds on a query: its length, its terms, the nesting of its parentheses. */
export const QUERY_LIMITS = { maxChars: 2048, maxTerms: 64, maxDepth: 16 } as const;
const PROPERTY = /^([A-Za-z]+)(<=|>=|:|<|>|=)/;
const OP_AFTER_COLON = /^(<=|>=|<|>|=)/;

class Parser {
  private pos = 0;
  private terms = 0;
  private depth = 0;
  constructor(
    private readonly q: string,
    private readonly toks: Token[],
  ) {}

  parse(): QueryAst {
    if (this.toks.length === 0) {
      fail(this.q, 0, 'empty query');
    }
    const ast = this.or('any');
    const extra = this.toks[this.pos];
    if (extra) {
      fail(this.q, extra.start, extra.kind === 'rparen' ? "unmatched ')'" : `unexpected '${extra.value}'`);
    }
    return ast;
  }

  private peek(): Token | undefined {
    return this.toks[this.pos];
  }

  private isOp(t: Token | undefined, op?: string): boolean {
    return t?.kind === 'word' && (op === undefined ? OPERATORS.has(t.value) : t.value === op);
  }

  /** After an operator there must be a term: not the end, not ')', not AND/OR. */
  private needOperand(op: Token): void {
    const next = this.peek();
    if (!next || next.kind === 'rparen' || this.isOp(next, 'AND') || this.isOp(next, 'OR')) {
      fail(this.q, op.start, `${op.value} needs a term after it`);
    }
  }

  private or(field: TextField): QueryAst {
    const items = [this.and(field)];
    while (this.isOp(this.peek(), 'OR')) {
      const op = this.toks[this.pos++] as Token;
      this.needOperand(op);
      items.push(this.and(field));
    }
    return group('or', items);
  }

  private and(field: TextField): QueryAst {
    const items = [this.unary(field)];
    for (;;) {
      const t = this.peek();
      if (!t || t.kind === 'rparen' || this.isOp(t, 'OR')) {
        break;
      }
      if (this.isOp(t, 'AND')) {
        this.pos++;
        this.needOperand(t);
      }
      items.push(this.unary(field));
    }
    return group('and', items);
  }

  private unary(field: TextField): QueryAst {
    const t = this.peek() as Token;
    if (this.isOp(t, 'NOT')) {
      this.pos++;
      this.needOperand(t);
      const item = this.unary(field);
      return { type: 'not', item, span: { start: t.start, end: item.span.end } };
    }
    if (this.isOp(t, 'AND') || this.isOp(t, 'OR')) {
      fail(this.q, t.start, `${t.value} needs a term before it`);
    }
    if (t.kind === 'word' && t.value.startsWith('-')) {
      const next = this.toks[this.pos + 1];
      if (t.value === '-' && next?.glued && (next.kind === 'quote' || next.kind === 'lparen')) {
        this.pos++;
        const item = this.primary(field);
        return { type: 'not', item, span: { start: t.start, end: item.span.end } };
      }
      if (t.value.length > 1 && t.value[1] !== '-') {
        this.pos++;
        const rest: Token = { ...t, value: t.value.slice(1), start: t.start + 1 };
        this.countTerm(rest);
        const item = this.word(rest, field);
        return { type: 'not', item, span: { start: t.start, end: item.span.end } };
      }
    }
    return this.primary(field);
  }

  private primary(field: TextField): QueryAst {
    const t = this.toks[this.pos++] as Token;
    if (t.kind === 'word' || t.kind === 'quote') {
      this.countTerm(t);
    }
    switch (t.kind) {
      case 'lparen':
        return this.parenthesised(t, field);
      case 'rparen':
        return fail(this.q, t.start, "unmatched ')'");
      case 'quote':
        return { type: 'text', field, match: 'phrase', value: t.value, span: { start: t.start, end: t.end } };
      case 'word':
        return this.word(t, field);
    }
  }

  private countTerm(t: Token): void {
    if (++this.terms > QUERY_LIMITS.maxTerms) {
      fail(this.q, t.start, `more than ${QUERY_LIMITS.maxTerms} terms`);
    }
  }

  private parenthesised(open: Token, field: TextField): QueryAst {
    if (++this.depth > QUERY_LIMITS.maxDepth) {
      fail(this.q, open.start, `parentheses nested deeper than ${QUERY_LIMITS.maxDepth}`);
    }
    const next = this.peek();
    if (!next) {
      fail(this.q, open.start, 'unclosed parenthesis');
    }
    if (next.kind === 'rparen') {
      fail(this.q, open.start, 'empty parentheses');
    }
    const inner = this.or(field);
    const close = this.toks[this.pos++];
    if (close?.kind !== 'rparen') {
      fail(this.q, open.start, 'unclosed parenthesis');
    }
    this.depth--;
    return inner;
  }

  /** A bare word: a free word, or a property restriction. */
  private word(t: Token, field: TextField): QueryAst {
    const m = PROPERTY.exec(t.value);
    if (!m) {
      return textWord(t.value, field, { start: t.start, end: t.end });
    }
    const name = m[1] as string;
    const prop = findProperty(name);
    if (!prop) {
      fail(this.q, t.start, `unknown property '${name}' (quote the word to search it as text)`);
    }
    let op = m[2] as string;
    let valueStart = t.start + m[0].length;
    let value = t.value.slice(m[0].length);
    if (op === ':') {
      const m2 = OP_AFTER_COLON.exec(value);
      if (m2 && (prop.kind === 'date' || prop.kind === 'size')) {
        op = m2[1] as string;
        value = value.slice(op.length);
        valueStart += op.length;
      }
    }
    if (op !== ':' && prop.kind !== 'date' && prop.kind !== 'size') {
      fail(this.q, t.start + name.length, `${name} takes ':' not '${op}'`);
    }
    const cmp: CompareOp = op === ':' ? '=' : (op as CompareOp);
    let end = t.end;
    let quoted = false;
    if (value === '') {
      const next = this.peek();
      if (next?.glued && next.kind === 'lparen' && prop.kind === 'text' && op === ':') {
        this.pos++;
        return this.parenthesised(next, prop.field);
      }
      if (!next?.glued || next.kind !== 'quote') {
        fail(this.q, valueStart, `missing value after '${t.value}'`);
      }
      this.pos++;
      value = next.value;
      valueStart = next.start + 1;
      end = next.end;
      quoted = true;
    }
    const span = { start: t.start, end };
    switch (prop.kind) {
      case 'text':
        return quoted
          ? { type: 'text', field: prop.field, match: 'phrase', value, span }
          : textWord(value, prop.field, span);
      case 'date':
        return dateTerm(this.q, prop.field, cmp, value, valueStart, span);
      case 'size':
        return sizeTerm(this.q, cmp, value, valueStart, span);
      case 'flag': {
        const v = value.toLowerCase();
        if (v !== 'true' && v !== 'false' && v !== 'yes' && v !== 'no') {
          fail(this.q, valueStart, `${name} takes true or false, not '${value}'`);
        }
        return { type: 'flag', flag: prop.flag, value: v === 'true' || v === 'yes', span };
      }
      case 'folder':
        return { type: 'folder', path: value.replace(/^\/+|\/+$/g, ''), span };
      case 'mailbox':
        return { type: 'mailbox', address: value, span };
    }
  }
}

function textWord(value: string, field: TextField, span: Span): QueryAst {
  if (value.length > 1 && value.endsWith('*')) {
    return { type: 'text', field, match: 'prefix', value: value.replace(/\*+$/, ''), span };
  }
  return { type: 'text', field, match: 'word', value, span };
}

/** An and/or node; nested nodes of the same kind are flattened, one item stands alone. */
function group(type: 'and' | 'or', items: QueryAst[]): QueryAst {
  const flat = items.flatMap((i) => (i.type === type ? i.items : [i]));
  if (flat.length === 1) {
    return flat[0] as QueryAst;
  }
  const span = { start: (flat[0] as QueryAst).span.start, end: (flat[flat.length - 1] as QueryAst).span.end };
  return { type, items: flat, span };
}

/**
 * Parse a query.
 * @throws QUERY_INVALID with details { position, query } pointing at the offending character
 */
export function parseQuery(q: string): QueryAst {
  if (q.length > QUERY_LIMITS.maxChars) {
    fail(
      q.slice(0, QUERY_LIMITS.maxChars),
      QUERY_LIMITS.maxChars,
      `query longer than ${QUERY_LIMITS.maxChars} characters`,
    );
  }
  return new Parser(q, lex(q)).parse();
}
