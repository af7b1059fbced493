/**
 * The Snowball English ("Porter2") stemmer, the one Xapian and so notmuch use, so that free
 * words match the same word forms as there (`meeting` ~ `meetings`, `meet`).
 * Algorithm: https://snowballstem.org/algorithms/english/stemmer.html (words are already
 * lower-cased and free of apostrophes: FTS5's unicode61 tokenizer splits on them).
 */

const EXCEPTIONS = new Map([
  ['skis', 'ski'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['idly', 'idl'],
  ['gently', 'gentl'],
  ['ugly', 'ugli'],
  ['early', 'earli'],
  ['only', 'onli'],
  ['singly', 'singl'],
  ['sky', 'sky'],
  ['news', 'news'],
  ['howe', 'howe'],
  ['atlas', 'atlas'],
  ['cosmos', 'cosmos'],
  ['bias', 'bias'],
  ['andes', 'andes'],
]);
const AFTER_1A = new Set([
  'inning',
  'outing',
  'canning',
  'herring',
  'earring',
  'proceed',
  'exceed',
  'succeed',
]);

const STEP2: [string, string][] = [
  ['ization', 'ize'],
  ['ational', 'ate'],
  ['fulness', 'ful'],
  ['ousness', 'ous'],
  ['iveness', 'ive'],
  ['tional', 'tion'],
  ['biliti', 'ble'],
  ['lessli', 'less'],
  ['entli', 'ent'],
  ['ation', 'ate'],
  ['alism', 'al'],
  ['aliti', 'al'],
  ['ousli', 'ous'],
  ['iviti', 'ive'],
  ['fulli', 'ful'],
  ['enci', 'ence'],
  ['anci', 'ance'],
  ['abli', 'able'],
  ['izer', 'ize'],
  ['ator', 'ate'],
  ['alli', 'al'],
  ['bli', 'ble'],
  ['ogi', 'og'],
  ['li', ''],
];
const STEP3: [string, string][] = [
  ['ational', 'ate'],
  ['tional', 'tion'],
  ['alize', 'al'],
  ['icate', 'ic'],
  ['iciti', 'ic'],
  ['ative', ''],
  ['ical', 'ic'],
  ['ness', ''],
  ['ful', ''],
];
const STEP4 = [
  'ement',
  'ance',
  'ence',
  'able',
  'ible',
  'ment',
  'ant',
  'ent',
  'ism',
  'ate',
  'iti',
  'ous',
  'ive',
  'ize',
  'ion',
  'al',
  'er',
  'ic',
];

function isVowel(c: string | undefined): boolean {
  return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y';
}

/** A short syllable ends the word: (non-vowel) vowel non-vowel-but-not-w-x-Y, or vowel non-vowel at the start. */
function endsShortSyllable(w: string): boolean {
  const n = w.length;
  if (n === 2) {
    return isVowel(w[0]) && !isVowel(w[1]);
  }
  const last = w[n - 1] as string;
  return n >= 3 && !isVowel(w[n - 3]) && isVowel(w[n - 2]) && !isVowel(last) && !'wxY'.includes(last);
}

/** R1, R2 (Snowball): after the first non-vowel that follows a vowel, and the same again. */
function regions(w: string): [number, number] {
  const after = (from: number): number => {
    for (let i = from; i < w.length; i++) {
      if (!isVowel(w[i]) && isVowel(w[i - 1])) {
        return i + 1;
      }
    }
    return w.length;
  };
  const special = /^(gener|commun|arsen)/.exec(w);
  const r1 = special ? special[0].length : after(1);
  return [r1, after(r1 + 1)];
}

function longest<T extends [string, string] | string>(w: string, list: readonly T[]): T | undefined {
  return list.find((s) => w.endsWith(typeof s === 'string' ? s : s[0]));
}

function step1(word: string, r1: number): string {
  let w = word;
  if (w.endsWith('sses')) {
    w = w.slice(0, -2);
  } else if (w.endsWith('ied') || w.endsWith('ies')) {
    w = w.length > 4 ? w.slice(0, -2) : w.slice(0, -1);
  } else if (w.endsWith('s') && !w.endsWith('us') && !w.endsWith('ss')) {
    if (/[aeiouy]/.test(w.slice(0, -2))) {
      w = w.slice(0, -1);
    }
  }
  if (AFTER_1A.has(w)) {
    return w;
  }
  const s1b = ['eedly', 'ingly', 'edly', 'eed', 'ing', 'ed'].find((s) => w.endsWith(s));
  if (s1b === 'eedly' || s1b === 'eed') {
    if (w.length - s1b.length >= r1) {
      w = w.slice(0, -s1b.length) + 'ee';
    }
  } else if (s1b && /[aeiouy]/.test(w.slice(0, -s1b.length))) {
    w = w.slice(0, -s1b.length);
    if (/(at|bl|iz)$/.test(w)) {
      w += 'e';
    } else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w)) {
      w = w.slice(0, -1);
    } else if (r1 >= w.length && endsShortSyllable(w)) {
      w += 'e';
    }
  }
  if (w.length > 2 && /[yY]$/.test(w) && !isVowel(w[w.length - 2])) {
    w = w.slice(0, -1) + 'i';
  }
  return w;
}

function steps2to5(word: string, r1: number, r2: number): string {
  let w = word;
  const s2 = longest(w, STEP2);
  if (s2 && w.length - s2[0].length >= r1) {
    const before = w[w.length - s2[0].length - 1] ?? '';
    const ok =
      s2[0] === 'ogi'
        ? before === 'l'
        : s2[0] === 'li'
          ? 'cdeghkmnrt'.includes(before) && before !== ''
          : true;
    if (ok) {
      w = w.slice(0, -s2[0].length) + s2[1];
    }
  }
  const s3 = longest(w, STEP3);
  if (s3 && w.length - s3[0].length >= r1 && (s3[0] !== 'ative' || w.length - 5 >= r2)) {
    w = w.slice(0, -s3[0].length) + s3[1];
  }
  const s4 = longest(w, STEP4);
  if (s4 && w.length - s4.length >= r2) {
    const before = w[w.length - s4.length - 1];
    if (s4 !== 'ion' || before === 's' || before === 't') {
      w = w.slice(0, -s4.length);
    }
  }
  const n = w.length;
  if (w.endsWith('e') && (n - 1 >= r2 || (n - 1 >= r1 && !endsShortSyllable(w.slice(0, -1))))) {
    w = w.slice(0, -1);
  } else if (w.endsWith('ll') && n - 1 >= r2) {
    w = w.slice(0, -1);
  }
  return w;
}

/** The Porter2 stem of a lower-case word. */
export function stem(word: string): string {
  if (word.length <= 2 || !/^[a-z]+$/.test(word)) {
    return word; // too short, or not an English word (digits, other scripts)
  }
  const exception = EXCEPTIONS.get(word);
  if (exception !== undefined) {
    return exception;
  }
  const w = word.replace(/^y/, 'Y').replace(/([aeiouy])y/g, '$1Y');
  const [r1, r2] = regions(w);
  const s1 = step1(w, r1);
  if (AFTER_1A.has(s1)) {
    return s1;
  }
  return steps2to5(s1, r1, r2).replace(/Y/g, 'y');
}

/** Fold a token as unicode61 with remove_diacritics 2 does: lower case, no accents. */
export function foldToken(token: string): string {
  return token
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}
