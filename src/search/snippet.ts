/**
 * Snippets: a window of the body text around the first match, every match in it marked
 * «like this». Computed here rather than with FTS5's snippet(): its window scoring compares
 * every match with every other (quadratic), and a message that repeats one word 200,000
 * times took six minutes to snippet. Here the work is linear and bounded: at most
 * SNIPPET_SCAN_CHARS of the body are read per hit.
 */
import type { QueryAst } from './ast.js';
import { foldToken, stem } from './stem.js';
import { wordTokens } from './text-match.js';

export const SNIPPET_OPEN = '«';
export const SNIPPET_CLOSE = '»';
/** Body characters scanned for a match, per hit. */
export const SNIPPET_SCAN_CHARS = 16_384;
const WINDOW_TOKENS = 24;
const LEAD_TOKENS = 5;
const TOKEN = /[\p{L}\p{N}\p{M}\p{Co}_]+/gu;

/** What to mark: words (folded forms), word prefixes, phrases (the last word a prefix or not). */
export interface Matcher {
  words: Set<string>;
  prefixes: string[];
  phrases: { words: string[]; prefix: boolean }[];
}

const newMatcher = (): Matcher => ({ words: new Set(), prefixes: [], phrases: [] });

function fold(token: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(token) ? token.toLowerCase() : foldToken(token);
}

/** The indexed words that have this stem (the stem itself included when it is one). */
export type FormsOf = (wordStem: string) => string[];

/**
 * The matchers of the positive text terms of a query (terms under NOT are not marked):
 * for the body (free words, body:) and for the subject (free words, subject:).
 */
export function matchers(ast: QueryAst, formsOf: FormsOf): { body: Matcher; subject: Matcher } {
  const body = newMatcher();
  const subject = newMatcher();
  const walk = (n: QueryAst, negated: boolean): void => {
    if (n.type === 'and' || n.type === 'or') {
      n.items.forEach((i) => walk(i, negated));
    } else if (n.type === 'not') {
      walk(n.item, !negated);
    } else if (
      n.type === 'text' &&
      !negated &&
      (n.field === 'any' || n.field === 'body' || n.field === 'subject')
    ) {
      const words = wordTokens(n.value).map(fold);
      const targets = n.field === 'any' ? [body, subject] : n.field === 'body' ? [body] : [subject];
      for (const m of targets) {
        if (words.length > 1) {
          m.phrases.push({ words, prefix: n.match === 'prefix' });
        } else if (words[0] !== undefined && n.match === 'prefix') {
          m.prefixes.push(words[0]);
        } else if (words[0] !== undefined) {
          const stemmed = n.match === 'word' && n.field !== 'subject';
          const forms = stemmed ? [words[0], ...formsOf(stem(words[0]))] : [words[0]];
          forms.forEach((f) => m.words.add(f));
        }
      }
    }
    // other fields and filters have nothing to mark in a body or subject
  };
  walk(ast, false);
  return { body, subject };
}

/** Length in tokens of the match starting at token i, or 0. */
function matchAt(words: string[], i: number, m: Matcher): number {
  const w = words[i] as string;
  if (m.words.has(w) || m.prefixes.some((p) => w.startsWith(p))) {
    return 1;
  }
  for (const p of m.phrases) {
    const n = p.words.length;
    if (i + n <= words.length) {
      let ok = true;
      for (let k = 0; k < n && ok; k++) {
        const want = p.words[k] as string;
        const got = words[i + k] as string;
        ok = p.prefix && k === n - 1 ? got.startsWith(want) : got === want;
      }
      if (ok) {
        return n;
      }
    }
  }
  return 0;
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;
/** A token character of ASCII text (TOKEN restricted to ASCII). */
const isAsciiWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * For ASCII text, a case-insensitive pattern that finds where the first match of `m` can start:
 * a whole word, a prefix, or a phrase's first word, at the start of a token (in ASCII text a
 * token folds to its lower case, so a token matches only where this pattern does). Null when
 * nothing of `m` can match ASCII text.
 */
const candidates = new WeakMap<Matcher, RegExp | null>();
function candidatePattern(m: Matcher): RegExp | null {
  let re = candidates.get(m);
  if (re === undefined) {
    const esc = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const whole = [...m.words, ...m.phrases.map((p) => p.words[0] as string)]
      .filter((w) => ASCII_ONLY.test(w))
      .map((w) => `${esc(w)}(?![A-Za-z0-9_])`);
    const prefixes = m.prefixes.filter((w) => ASCII_ONLY.test(w)).map(esc);
    const alts = [...whole, ...prefixes];
    re = alts.length > 0 ? new RegExp(`(?<![A-Za-z0-9_])(?:${alts.join('|')})`, 'i') : null;
    candidates.set(m, re);
  }
  return re;
}

/** The start of the token `n` tokens before position `at` of ASCII text (or of its first token). */
function tokensBack(text: string, at: number, n: number): number {
  let pos = at;
  for (let k = 0; k < n; k++) {
    let i = pos;
    while (i > 0 && !isAsciiWordChar(text.charCodeAt(i - 1))) {
      i--;
    }
    if (i === 0) {
      break;
    }
    while (i > 0 && isAsciiWordChar(text.charCodeAt(i - 1))) {
      i--;
    }
    pos = i;
  }
  return pos;
}

/**
 * A snippet of `text`: about WINDOW_TOKENS words from a little before the first match, the
 * matches marked; '…' where text was cut. Undefined when nothing matches (or nothing to
 * match); whitespace collapsed.
 */
export function makeSnippet(text: string, m: Matcher | undefined): string | undefined {
  if (m && m.words.size + m.prefixes.length + m.phrases.length === 0) {
    return undefined;
  }
  const scan = text.slice(0, SNIPPET_SCAN_CHARS);
  // ASCII text (most mail): find the first place a match can start with one native search, and
  // tokenize from LEAD_TOKENS tokens before it, instead of folding every token up to there
  let from = 0;
  if (m && ASCII_ONLY.test(scan)) {
    const at = candidatePattern(m)?.exec(scan)?.index ?? -1;
    if (at < 0) {
      return undefined;
    }
    from = tokensBack(scan, at, LEAD_TOKENS);
  }
  return snippetFrom(text, scan, from, m);
}

/** makeSnippet, tokenizing `scan` (the start of `text`) from `from`, a token start (or 0). */
export function snippetFrom(
  text: string,
  scan: string,
  from: number,
  m: Matcher | undefined,
): string | undefined {
  // tokenize lazily: stop once the window after the first match is complete
  const maxPhrase = m ? Math.max(1, ...m.phrases.map((p) => p.words.length)) : 1;
  const spans: [number, number][] = [];
  const words: string[] = [];
  let first = m ? -1 : 0;
  const token = new RegExp(TOKEN);
  token.lastIndex = from;
  for (let r = token.exec(scan); r !== null; r = token.exec(scan)) {
    spans.push([r.index, r.index + r[0].length]);
    words.push(fold(r[0]));
    const i = words.length - maxPhrase; // every phrase that could start here is complete
    if (m && first < 0 && i >= 0 && matchAt(words, i, m) > 0) {
      first = i;
    }
    if (first >= 0 && words.length >= Math.max(0, first - LEAD_TOKENS) + WINDOW_TOKENS + maxPhrase) {
      break;
    }
  }
  for (let i = Math.max(0, words.length - maxPhrase + 1); m && first < 0 && i < words.length; i++) {
    first = matchAt(words, i, m) > 0 ? i : -1; // the last few words, too short for the longest phrase
  }
  if (first < 0) {
    return undefined;
  }
  const start = Math.max(0, first - LEAD_TOKENS);
  const end = Math.min(words.length, start + WINDOW_TOKENS);
  if (start >= end) {
    return '';
  }
  const cut = start > 0 || (from > 0 && /[\p{L}\p{N}\p{M}\p{Co}_]/u.test(scan.slice(0, from)));
  let out = cut ? '…' : '';
  let pos = (spans[start] as [number, number])[0];
  for (let i = start; i < end;) {
    const len = m ? Math.min(matchAt(words, i, m), end - i) : 0;
    if (len > 0) {
      const [s] = spans[i] as [number, number];
      const e = (spans[i + len - 1] as [number, number])[1];
      out += `${text.slice(pos, s)}${SNIPPET_OPEN}${text.slice(s, e)}${SNIPPET_CLOSE}`;
      pos = e;
      i += len;
    } else {
      i++;
    }
  }
  const last = (spans[end - 1] as [number, number])[1];
  out += text.slice(pos, last);
  if (/[\p{L}\p{N}]/u.test(text.slice(last))) {
    out += '…';
  }
  return out.replace(/\s+/g, ' ').trim();
}
