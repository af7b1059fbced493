/**
 * The tokens of a query: words, quoted phrases, parentheses. A '"' always starts or ends a
 * phrase; whitespace and parentheses end a word.
 */
import { AppError } from '../errors.js';

export interface Token {
  kind: 'word' | 'quote' | 'lparen' | 'rparen';
  value: string;
  start: number;
  end: number;
  /** No whitespace between this token and the one before it. */
  glued: boolean;
}

/** @throws QUERY_INVALID with details { position, query } */
export function fail(query: string, position: number, message: string): never {
  throw new AppError('QUERY_INVALID', `${message} (at position ${position})`, { position, query });
}

export function lex(q: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let glued = false;
  while (i < q.length) {
    const c = q[i] as string;
    if (/\s/.test(c)) {
      i++;
      glued = false;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')') {
      toks.push({ kind: c === '(' ? 'lparen' : 'rparen', value: c, start, end: i + 1, glued });
      i++;
    } else if (c === '"') {
      const close = q.indexOf('"', i + 1);
      if (close < 0) {
        fail(q, start, 'unclosed quote');
      }
      toks.push({ kind: 'quote', value: q.slice(i + 1, close), start, end: close + 1, glued });
      i = close + 1;
    } else {
      while (i < q.length && !/[\s()"]/.test(q[i] as string)) {
        i++;
      }
      toks.push({ kind: 'word', value: q.slice(start, i), start, end: i, glued });
    }
    glued = true;
  }
  return toks;
}
