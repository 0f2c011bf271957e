/**
 * Text normalisation with an offset map back to the original string.
 *
 * Detectors run on normalised text (NFKC, invisible characters removed, confusable letters folded
 * to Latin) so that `ｉｇｎｏｒｅ`, `ig\u200Bnore` and Cyrillic look-alikes match the same rules as
 * `ignore`. Every normalised UTF-16 unit remembers the original code point it came from, so findings
 * can report offsets in the text the user sent.
 */

import { isAsciiLetter, isRegexWordChar } from './chars.js';

/** A kind of evasion found while normalising. */
export type EvasionKind = 'zero_width' | 'unicode_tags' | 'homoglyph' | 'bidi' | 'fullwidth';

/** One evasion occurrence, in original-text offsets. */
export interface Evasion {
  kind: EvasionKind;
  start: number;
  end: number;
}

/** Normalised text plus the mapping back to the original. */
export interface NormalizedText {
  /** The normalised text detectors run on. */
  text: string;
  /** Original start offset of each normalised unit; `null` when the text was unchanged (identity). */
  starts: Int32Array | null;
  /** Original end offset of each normalised unit; `null` when identity. */
  ends: Int32Array | null;
  /** Length of the original text. */
  originalLength: number;
  /** ASCII smuggled in Unicode tag characters (U+E0020–U+E007E), decoded; empty if none. */
  hidden: string;
  evasions: Evasion[];
}

// Cyrillic and Greek letters that render like Latin ones (subset of Unicode confusables.txt that
// matters for English keywords). Hand-written: the full confusables table is ~6k entries and we
// only need letters that can spell attack keywords.
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ɡ: 'g',
  ɑ: 'a',
  ο: 'o',
  α: 'a',
  ν: 'v',
  ι: 'i',
  κ: 'k',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ε: 'e',
  η: 'n',
  ϲ: 'c',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  У: 'Y',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  ı: 'i',
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point of this test.
const NON_ASCII = /[^\x00-\x7f]/;
// Code-point keyed copies of the tables above: no per-character string allocation in the hot loop.
const CONFUSABLE_CODES = new Map<number, number>(
  Object.entries(CONFUSABLES).map(([from, to]) => [from.codePointAt(0)!, to.charCodeAt(0)]),
);
// Direct-index table for the look-alikes (all below U+0530): the hot loop avoids a Map lookup.
const CONFUSABLE_TABLE = new Uint16Array(0x530);
for (const [from, to] of CONFUSABLE_CODES) if (from < 0x530) CONFUSABLE_TABLE[from] = to;
const NFKC_MEMO = new Map<number, string>();
const NFKC_MEMO_LIMIT = 4096;

function nfkcOf(cp: number, ch: string): string {
  let nf = NFKC_MEMO.get(cp);
  if (nf === undefined) {
    nf = ch.normalize('NFKC');
    if (nf.length > 8) nf = ch; // ligature-like expansions of one code point stay bounded
    if (NFKC_MEMO.size < NFKC_MEMO_LIMIT) NFKC_MEMO.set(cp, nf);
  }
  return nf;
}
// Characters the slow path may change: invisibles, bidi controls, Greek/Cyrillic look-alikes,
// full-width forms, and astral code points (tag characters, mathematical alphanumerics).
// Combining marks (U+034F, variation selectors) and surrogates sit outside the main class.
const SUSPICIOUS =
  /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\uFF01-\uFF5E\u0370-\u03FF\u0400-\u052F\u0251\u0261\u0131]|\u034F|[\uFE00-\uFE0F]|[\uD800-\uDBFF]/;

function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x180e ||
    cp === 0x034f ||
    (cp >= 0xfe00 && cp <= 0xfe0f)
  );
}

function isBidi(cp: number): boolean {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

function pushEvasion(list: Evasion[], kind: EvasionKind, start: number, end: number): void {
  const last = list[list.length - 1];
  // Merge adjacent runs of the same kind so a 10k-character smuggled run is one evasion.
  if (last && last.kind === kind && start - last.end <= 4) {
    last.end = end;
    return;
  }
  list.push({ kind, start, end });
}

const UTF16 = new TextDecoder('utf-16le');

function isLatinAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function grow(
  codes: Uint16Array,
  starts: Int32Array,
  ends: Int32Array,
): [Uint16Array, Int32Array, Int32Array] {
  const size = codes.length * 2;
  const c = new Uint16Array(size);
  c.set(codes);
  const s = new Int32Array(size);
  s.set(starts);
  const e = new Int32Array(size);
  e.set(ends);
  return [c, s, e];
}

/**
 * Normalise `input` for detection. Pure ASCII input is returned unchanged (fast path).
 *
 * @example normalizeText('ｉｇｎｏｒｅ').text // 'ignore'
 */
export function normalizeText(input: string): NormalizedText {
  // Fast paths: pure ASCII, or non-ASCII text (accents, CJK, …) with nothing to fold or strip.
  if (!NON_ASCII.test(input) || (!SUSPICIOUS.test(input) && input.normalize('NFKC') === input)) {
    return { text: input, starts: null, ends: null, originalLength: input.length, hidden: '', evasions: [] };
  }
  const n = input.length;
  // Typed buffers sized for the common case (output no longer than input); grown if NFKC expands.
  // No closures capture them, so V8 keeps them in registers in the hot loop.
  let codes: Uint16Array = new Uint16Array(n + 16);
  let starts: Int32Array = new Int32Array(n + 16);
  let ends: Int32Array = new Int32Array(n + 16);
  let len = 0;
  const evasions: Evasion[] = [];
  let hidden = '';
  let flagRun = false;
  let i = 0;
  while (i < n) {
    const c0 = input.charCodeAt(i);
    if (c0 < 0x80 || (c0 < 0x530 && CONFUSABLE_TABLE[c0] !== 0)) {
      let code = c0;
      if (c0 >= 0x80) {
        code = CONFUSABLE_TABLE[c0]!;
        // Only mixed-script words are an evasion; plain Russian or Greek text is not.
        if ((i > 0 && isLatinAt(input, i - 1)) || (i + 1 < n && isLatinAt(input, i + 1)))
          pushEvasion(evasions, 'homoglyph', i, i + 1);
      }
      if (len === codes.length) [codes, starts, ends] = grow(codes, starts, ends);
      codes[len] = code;
      starts[len] = i;
      ends[len] = i + 1;
      len++;
      i++;
      continue;
    }
    const cp = input.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const start = i;
    const end = i + width;
    i = end;
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      // Subdivision flags (🏴 + tag letters + cancel tag) are the one legitimate use of tag characters.
      if (flagRun || input.codePointAt(start - 2) === 0x1f3f4) {
        flagRun = cp !== 0xe007f;
        continue;
      }
      if (cp >= 0xe0020 && cp <= 0xe007e && hidden.length < 65536)
        hidden += String.fromCharCode(cp - 0xe0000);
      pushEvasion(evasions, 'unicode_tags', start, end);
      continue;
    }
    flagRun = false;
    if (cp >= 0xe0100 && cp <= 0xe01ef) {
      pushEvasion(evasions, 'unicode_tags', start, end);
      continue;
    }
    if (isInvisible(cp)) {
      // ZWJ/ZWNJ and variation selectors are legitimate in emoji and some scripts; they are only an
      // evasion when they split Latin letters (`ig\u200Dnore`).
      const benign = cp === 0x200c || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f);
      if (!benign || (start > 0 && isLatinAt(input, start - 1) && end < n && isLatinAt(input, end))) {
        pushEvasion(evasions, 'zero_width', start, end);
      }
      continue;
    }
    if (isBidi(cp)) {
      pushEvasion(evasions, 'bidi', start, end);
      continue;
    }
    const folded = CONFUSABLE_CODES.get(cp);
    if (folded !== undefined) {
      // Only mixed-script words are an evasion; plain Russian or Greek text is not.
      if ((start > 0 && isLatinAt(input, start - 1)) || (end < n && isLatinAt(input, end))) {
        pushEvasion(evasions, 'homoglyph', start, end);
      }
      if (len === codes.length) [codes, starts, ends] = grow(codes, starts, ends);
      codes[len] = folded;
      starts[len] = start;
      ends[len] = end;
      len++;
      continue;
    }
    const ch = width === 1 ? input[start]! : input.slice(start, end);
    const nf = nfkcOf(cp, ch);
    // Full-width letters and digits spell ASCII words in disguise; full-width punctuation is normal CJK text.
    if ((cp >= 0xff10 && cp <= 0xff19) || (cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a)) {
      pushEvasion(evasions, 'fullwidth', start, end);
    } else if (cp >= 0x1d400 && cp <= 0x1d7ff) pushEvasion(evasions, 'homoglyph', start, end);
    for (let k = 0; k < nf.length; k++) {
      const c = nf.charCodeAt(k);
      if (len === codes.length) [codes, starts, ends] = grow(codes, starts, ends);
      codes[len] = CONFUSABLE_CODES.get(c) ?? c;
      starts[len] = start;
      ends[len] = end;
      len++;
    }
  }
  // Native decode: ~20x faster than String.fromCharCode over chunks. Lone surrogates become U+FFFD
  // (one unit for one unit, so offsets stay aligned).
  const text = UTF16.decode(codes.subarray(0, len));
  return {
    text,
    starts: starts.slice(0, len),
    ends: ends.slice(0, len),
    originalLength: n,
    hidden,
    evasions,
  };
}

/** Map a normalised `[start, end)` range back to original offsets. */
export function mapRange(norm: NormalizedText, start: number, end: number): { start: number; end: number } {
  if (!norm.starts || !norm.ends) return { start, end };
  const len = norm.starts.length;
  if (len === 0) return { start: 0, end: 0 };
  const s = start >= len ? norm.originalLength : norm.starts[Math.max(0, start)]!;
  const e = end <= 0 ? s : norm.ends[Math.min(len, end) - 1]!;
  return { start: s, end: Math.max(s, e) };
}

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
};
const LEET_WORD = /[a-z]*[013457@$!|][a-z0-9@$!|]*/gi;
const HAS_LETTER = /[a-z]/i;

/** 1 for the leet digits and symbols: 0 1 3 4 5 7 @ $ | */
const LEET_CHAR = new Uint8Array(128);
for (const c of '013457@$|') LEET_CHAR[c.charCodeAt(0)] = 1;

/**
 * Whether `text` may hold leetspeak worth undoing: a leet digit or symbol between two letters
 * (`h4ck`), or starting a word before two letters (`1gnore`). What
 * `/[a-z][013457@$|][a-z]|\b[013457@$][a-z]{2}/i` finds, by one loop over the characters.
 */
export function mayHoldLeet(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || LEET_CHAR[c] === 0 || !isAsciiLetter(text.charCodeAt(i + 1))) continue;
    const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
    if (isAsciiLetter(prev)) return true;
    if (c !== 124 && isAsciiLetter(text.charCodeAt(i + 2)) && isRegexWordChar(prev) !== isRegexWordChar(c))
      return true;
  }
  return false;
}

/**
 * Undo leetspeak inside words that mix letters with leet digits/symbols (`1gn0r3` → `ignore`).
 * Same length as the input (1:1), so offsets need no mapping. Returns `null` when nothing changed.
 */
export function unleet(text: string): string | null {
  let changed = false;
  const result = text.replace(LEET_WORD, (word) => {
    if (word.length < 3 || !HAS_LETTER.test(word)) return word;
    let letters = 0;
    for (let k = 0; k < word.length; k++) if (/[a-z]/i.test(word[k]!)) letters++;
    // Mostly-digit tokens (versions, ids, amounts) are not leetspeak.
    if (letters * 2 < word.length) return word;
    let w = '';
    for (let k = 0; k < word.length; k++) w += LEET[word[k]!] ?? word[k]!;
    if (w !== word) changed = true;
    return w;
  });
  return changed ? result : null;
}
