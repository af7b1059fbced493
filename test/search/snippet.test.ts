import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SNIPPET_SCAN_CHARS, makeSnippet, snippetFrom, type Matcher } from '../../src/search/snippet.js';

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCAB = [
  'gas',
  'Gas',
  'GAS',
  'gasoline',
  'price',
  'prices',
  'cap',
  'capacity',
  'risk',
  'x_y',
  'a1',
  'the',
  'of',
];
/** What a matcher holds: folded words (lower case, accents removed), the non-ASCII ones folded too. */
const MATCHER_WORDS = [...new Set(VOCAB.map((w) => w.toLowerCase())), 'cafe', 'ubergas', 'naive'];
const GLUE = [' ', ' ', '  ', '\n', ', ', '. ', '-', '/', '(', ')', "'", '"'];
const NON_ASCII = ['café', 'Übergas', 'naïve', '—', '«'];

function text(r: () => number, words: number, ascii: boolean): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  let s = r() < 0.3 ? pick(GLUE) : '';
  for (let i = 0; i < words; i++) {
    s += !ascii && r() < 0.05 ? pick(NON_ASCII) : pick(VOCAB);
    s += pick(GLUE);
  }
  return s;
}

function matcher(r: () => number): Matcher {
  const m: Matcher = { words: new Set(), prefixes: [], phrases: [] };
  const pick = (): string => MATCHER_WORDS[Math.floor(r() * MATCHER_WORDS.length)]!;
  for (let i = Math.floor(r() * 3); i > 0; i--) {
    m.words.add(pick());
  }
  if (r() < 0.4) {
    m.prefixes.push(pick().slice(0, 1 + Math.floor(r() * 3)));
  }
  if (r() < 0.5) {
    m.phrases.push({ words: [pick(), pick(), ...(r() < 0.3 ? [pick()] : [])], prefix: r() < 0.3 });
  }
  if (m.words.size + m.prefixes.length + m.phrases.length === 0) {
    m.words.add(pick());
  }
  return m;
}

/** The snippet as made by tokenizing the text from its start: what makeSnippet must equal. */
const byFullScan = (t: string, m: Matcher | undefined): string | undefined =>
  snippetFrom(t, t.slice(0, SNIPPET_SCAN_CHARS), 0, m);

describe('makeSnippet', () => {
  it('equals the snippet of a scan from the start of the text, for 3,000 generated texts and queries', () => {
    const r = rng(20261126);
    for (let n = 0; n < 3000; n++) {
      const t = text(r, 1 + Math.floor(r() * 120), r() < 0.8);
      const m = r() < 0.05 ? undefined : matcher(r);
      assert.equal(makeSnippet(t, m), byFullScan(t, m), `case ${n}: ${JSON.stringify({ t, m })}`);
    }
  });

  it('equals it where the text runs past the scanned length, a match cut off at the end', () => {
    const r = rng(7);
    for (let n = 0; n < 40; n++) {
      const pad = 'lorem ipsum '.repeat(Math.floor((SNIPPET_SCAN_CHARS - 40 - Math.floor(r() * 20)) / 12));
      const t = `${pad}${text(r, 30, true)}`;
      const m = matcher(r);
      assert.equal(makeSnippet(t, m), byFullScan(t, m), `case ${n}`);
    }
  });

  it('marks a match deep in a long body and cuts the text before it', () => {
    const t = `${'alpha beta '.repeat(600)}the gas price cap held.`;
    const m: Matcher = { words: new Set(['cap']), prefixes: [], phrases: [] };
    assert.equal(makeSnippet(t, m), '…alpha beta the gas price «cap» held');
  });

  it('has no snippet for a body without a match, and takes a word inside another for none', () => {
    const m: Matcher = { words: new Set(['gas']), prefixes: [], phrases: [] };
    assert.equal(makeSnippet('gasoline and degas, but no match', m), undefined);
    assert.equal(makeSnippet('the Gas.', m), 'the «Gas»');
  });
});
