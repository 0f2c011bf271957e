import { isAsciiAlnum, isAsciiLetter } from '../chars.js';
import type { Detector, DetectorInput, RawFinding } from './types.js';

const STOP = new Set(
  'a an the and or but if of to in on at by for with from as is are was were be been being it its this that these those you your yours we our i me my he she they them their his her not no do does did can could should would will shall may might must have has had so than then there here which who whom what when where why how all any each some such only own same too very just also into over under about'.split(
    ' ',
  ),
);

interface Token {
  word: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

function tokens(text: string, limit = 200_000): Token[] {
  const out: Token[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null && out.length < limit; m = WORD.exec(text)) {
    out.push({ word: stem(m[0].toLowerCase()), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

// A response's words for overlapOf, in buffers reused from call to call (the scan is synchronous):
// its id in the prompt's vocabulary (-1 if absent), its range, and whether it is a content word.
const RESPONSE_TOKENS = 200_000;
const words = {
  id: new Int32Array(256),
  start: new Int32Array(256),
  end: new Int32Array(256),
  isContent: new Uint8Array(256),
};
// The same words as WORD finds, without a match array per word: skip to the next letter or digit,
// then match WORD there.
const NOT_WORD = /[^\p{L}\p{N}]+/uy;
const WORD_AT = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/uy;

/**
 * Words by their characters, without a string per word: an ASCII word of the response is hashed
 * from its (lower-cased, stemmed) character codes and checked against the entry with that hash.
 */
interface WordIndex {
  /** FNV-1a hash of a word's UTF-16 codes, to its id; {@link AMBIGUOUS} if two words share it. */
  byHash: Map<number, number>;
  /** Each id's word. */
  words: string[];
}

const AMBIGUOUS = -2;

function hashOf(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

function wordIndex(words: readonly string[]): WordIndex {
  const byHash = new Map<number, number>();
  words.forEach((w, id) => {
    const h = hashOf(w);
    byHash.set(h, byHash.has(h) ? AMBIGUOUS : id);
  });
  return { byHash, words: [...words] };
}

const STOP_INDEX = wordIndex([...STOP]);

/** `c` lower-cased if it is an ASCII capital. */
const lc = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * End of the word starting at `at` (an ASCII letter or digit), as WORD_AT reads it, when the word
 * and the character after it leave no doubt without Unicode classes; -1 otherwise.
 */
function asciiWordEnd(text: string, at: number): number {
  const len = text.length;
  let i = at + 1;
  while (i < len && isAsciiAlnum(text.charCodeAt(i))) i++;
  if (i === len) return i;
  const c = text.charCodeAt(i);
  if (c === 39 || c === 0x2019) {
    let j = i + 1;
    if (j === len) return i;
    const d = text.charCodeAt(j);
    if (d >= 128) return -1; // a letter outside ASCII may follow the apostrophe
    if (!isAsciiLetter(d)) return i;
    while (j < len && isAsciiLetter(text.charCodeAt(j))) j++;
    return j < len && text.charCodeAt(j) >= 128 ? -1 : j;
  }
  return c >= 128 ? -1 : i;
}

/** {@link stem}'s length for the lower-cased text[at, to), read in place. */
function stemmedEnd(text: string, at: number, to: number): number {
  const n = to - at;
  const last = lc(text.charCodeAt(to - 1));
  const prev = lc(text.charCodeAt(to - 2));
  if (n > 5 && last === 103 && prev === 110 && lc(text.charCodeAt(to - 3)) === 105) return to - 3; // ing
  if (n > 4 && last === 100 && prev === 101) return to - 2; // ed
  if (n > 3 && last === 115 && prev !== 115) return to - 1; // s, not ss
  return to;
}

/** {@link hashOf} the lower-cased text[at, to). */
function hashOfRange(text: string, at: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < to; i++) h = Math.imul(h ^ lc(text.charCodeAt(i)), 0x01000193);
  return h & 0x3fffffff;
}

/**
 * The id in `index` of the lower-cased text[at, to), whose hash is `hash`; -1 if absent,
 * AMBIGUOUS if undecided.
 */
function lookUp(index: WordIndex, hash: number, text: string, at: number, to: number): number {
  const id = index.byHash.get(hash);
  if (id === undefined || id === AMBIGUOUS) return id ?? -1;
  const word = index.words[id] as string;
  if (word.length !== to - at) return -1;
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) !== lc(text.charCodeAt(at + i))) return -1;
  return id;
}

/**
 * Fill `words` with the response's words, as {@link tokens} reads them; returns their count. ASCII
 * words are read and looked up in place; a word with other characters in or next to it goes
 * through WORD_AT and a lower-cased string, as {@link tokens} does.
 */
function responseWords(text: string, ids: PromptShingles): number {
  let n = 0;
  let at = 0;
  const len = text.length;
  while (at < len && n < RESPONSE_TOKENS) {
    const c = text.charCodeAt(at);
    if (c < 128 && !isAsciiAlnum(c)) {
      at++;
      continue;
    }
    let to = c < 128 ? asciiWordEnd(text, at) : -1;
    let id = AMBIGUOUS;
    let isContent = false;
    if (to >= 0) {
      const stemEnd = stemmedEnd(text, at, to);
      const hash = hashOfRange(text, at, stemEnd);
      const stop = lookUp(STOP_INDEX, hash, text, at, stemEnd);
      if (stop !== AMBIGUOUS) {
        id = lookUp(ids.index, hash, text, at, stemEnd);
        isContent = stop < 0 && stemEnd - at > 2;
      }
    }
    if (id === AMBIGUOUS) {
      NOT_WORD.lastIndex = at;
      if (NOT_WORD.test(text)) at = NOT_WORD.lastIndex;
      if (at >= len) break;
      WORD_AT.lastIndex = at;
      if (!WORD_AT.test(text)) break; // cannot happen: `at` is on a letter or digit
      to = WORD_AT.lastIndex;
      const word = stem(text.slice(at, to).toLowerCase());
      id = ids.vocab.get(word) ?? -1;
      isContent = !STOP.has(word) && word.length > 2;
    }
    if (n === words.id.length) grow(n * 2);
    words.id[n] = id;
    words.start[n] = at;
    words.end[n] = to;
    words.isContent[n] = isContent ? 1 : 0;
    n++;
    at = to;
  }
  return n;
}

/**
 * The response's words as {@link responseWords} reads them, and as {@link tokens} does (the
 * reference): id in the prompt's vocabulary, range, and whether each is a content word. For tests.
 */
export function responseWordsBothWays(response: string, systemPrompt: string) {
  type Word = { id: number; start: number; end: number; content: boolean };
  const ids = promptShingles(systemPrompt);
  const n = responseWords(response, ids);
  const fast: Word[] = [];
  for (let i = 0; i < n; i++)
    fast.push({
      id: words.id[i]!,
      start: words.start[i]!,
      end: words.end[i]!,
      content: words.isContent[i] === 1,
    });
  const reference: Word[] = tokens(response, RESPONSE_TOKENS).map((t) => ({
    id: ids.vocab.get(t.word) ?? -1,
    start: t.start,
    end: t.end,
    content: !STOP.has(t.word) && t.word.length > 2,
  }));
  return { fast, reference };
}

function grow(size: number): void {
  for (const k of ['id', 'start', 'end'] as const) {
    const next = new Int32Array(size);
    next.set(words[k]);
    words[k] = next;
  }
  const content = new Uint8Array(size);
  content.set(words.isContent);
  words.isContent = content;
}

// Crude suffix stripping so light paraphrases ("follows" / "following") still line up.
function stem(w: string): string {
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

// Paraphrase: content-word bigrams (stop words dropped) survive reordering of filler words.
const content = (ts: readonly Token[]): Token[] => ts.filter((t) => !STOP.has(t.word) && t.word.length > 2);

/** Where a response reproduces the prompt, and how much of it (4-gram and bigram coverage). */
type Overlap = { start: number; end: number; verbatim: number; paraphrase: number };

/**
 * What the overlap measure needs from a system prompt: its token count and its shingles, over
 * word ids rather than strings, so a response is matched without building a key string per
 * position. A prompt is read up to 20,000 tokens, so ids stay below 2^15 and a pair of them
 * (`a * 2^15 + b`) is a small integer.
 */
interface PromptShingles {
  count: number;
  /** Each distinct (stemmed) word of the prompt, and its id. */
  vocab: Map<string, number>;
  /** The same words, looked up by their characters in the response. */
  index: WordIndex;
  /** 4-grams: pair of the first two words, to the pairs of the last two that follow it. */
  sys4: Map<number, Set<number>>;
  /** Distinct 4-grams. */
  sys4Size: number;
  /** Content-word bigrams, as pairs. */
  sys2: Set<number>;
}

const PROMPT_TOKENS = 20_000;
const ID_LIMIT = 1 << 15;
const pair = (a: number, b: number): number => a * ID_LIMIT + b;

function promptShingles(systemPrompt: string): PromptShingles {
  const sys = tokens(systemPrompt, PROMPT_TOKENS);
  const vocab = new Map<string, number>();
  for (const t of sys) if (!vocab.has(t.word)) vocab.set(t.word, vocab.size);
  const id = (t: Token): number => vocab.get(t.word) as number;
  const sys4 = new Map<number, Set<number>>();
  let sys4Size = 0;
  const sys2 = new Set<number>();
  const index = wordIndex([...vocab.keys()]);
  if (sys.length < 5) return { count: sys.length, vocab, index, sys4, sys4Size, sys2 };
  for (let i = 0; i + 4 <= sys.length; i++) {
    const head = pair(id(sys[i]!), id(sys[i + 1]!));
    let tails = sys4.get(head);
    if (!tails) {
      tails = new Set();
      sys4.set(head, tails);
    }
    const before = tails.size;
    tails.add(pair(id(sys[i + 2]!), id(sys[i + 3]!)));
    sys4Size += tails.size - before;
  }
  const sysC = content(sys);
  for (let i = 0; i + 2 <= sysC.length; i++) sys2.add(pair(id(sysC[i]!), id(sysC[i + 1]!)));
  return { count: sys.length, vocab, index, sys4, sys4Size, sys2 };
}

// The same system prompt comes with every response of an application: its shingles are computed
// once (a pure function of the prompt) instead of on every call.
const MEMO_ENTRIES = 16;
const MEMO_MAX_CHARS = 64 * 1024;
const memo = new Map<string, PromptShingles>();

function memoShingles(systemPrompt: string): PromptShingles {
  if (systemPrompt.length > MEMO_MAX_CHARS) return promptShingles(systemPrompt);
  let entry = memo.get(systemPrompt);
  if (!entry) {
    entry = promptShingles(systemPrompt);
    if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
    memo.set(systemPrompt, entry);
  }
  return entry;
}

/**
 * Measure how much of `systemPrompt` the response reproduces. Returns the covered response range
 * and coverage ratios, or null when there is no meaningful overlap. `remember: false` recomputes
 * the system prompt's shingles instead of reusing them (same result).
 */
export function systemPromptOverlap(response: string, systemPrompt: string, remember = true): Overlap | null {
  const shingles = remember ? memoShingles(systemPrompt) : promptShingles(systemPrompt);
  const count = shingles.count;
  if (count === 0) return null;
  if (count < 5) {
    const needle = systemPrompt.trim().toLowerCase();
    const at = needle.length >= 12 ? response.toLowerCase().indexOf(needle) : -1;
    return at >= 0 ? { start: at, end: at + needle.length, verbatim: 1, paraphrase: 1 } : null;
  }
  return overlapOf(response, shingles);
}

/**
 * Walk the response's 4-grams and content-word bigrams against the prompt's. A response word
 * outside the prompt's vocabulary gets id -1 and rules out every shingle it is in; a match is a
 * lookup of two small integers. Allocates only for the hits.
 */
function overlapOf(response: string, ids: PromptShingles): Overlap | null {
  const n = responseWords(response, ids);
  const { id, start, end, isContent } = words;
  let first = -1;
  let last = -1;
  let hit4: Map<number, Set<number>> | undefined;
  let hits4 = 0;
  for (let i = 0; i + 4 <= n; i++) {
    const a = id[i]!;
    const b = id[i + 1]!;
    const c = id[i + 2]!;
    const d = id[i + 3]!;
    if (a < 0 || b < 0 || c < 0 || d < 0) continue;
    const head = pair(a, b);
    const tail = pair(c, d);
    if (!ids.sys4.get(head)?.has(tail)) continue;
    hit4 ??= new Map();
    let tails = hit4.get(head);
    if (!tails) {
      tails = new Set();
      hit4.set(head, tails);
    }
    if (!tails.has(tail)) {
      tails.add(tail);
      hits4++;
    }
    if (first < 0) first = start[i]!;
    last = end[i + 3]!;
  }
  const verbatim = ids.sys4Size > 0 ? hits4 / ids.sys4Size : 0;

  // Paraphrase: consecutive content words (stop words dropped), in order.
  let prev = -1;
  let hit2: Set<number> | undefined;
  for (let i = 0; i < n; i++) {
    if (isContent[i] === 0) continue;
    const cur = id[i]!;
    if (prev >= 0 && id[prev]! >= 0 && cur >= 0) {
      const key = pair(id[prev]!, cur);
      if (ids.sys2.has(key)) {
        hit2 ??= new Set();
        hit2.add(key);
        if (first < 0 || start[prev]! < first) first = start[prev]!;
        if (end[i]! > last) last = end[i]!;
      }
    }
    prev = i;
  }
  const paraphrase = ids.sys2.size > 0 ? (hit2?.size ?? 0) / ids.sys2.size : 0;
  if (first < 0) return null;
  return { start: first, end: last, verbatim, paraphrase };
}

function detect(input: DetectorInput): RawFinding[] {
  if (!input.systemPrompt || input.systemPrompt.trim().length === 0) return [];
  const overlap = systemPromptOverlap(input.norm.text, input.systemPrompt, input.prefilters !== false);
  if (!overlap) return [];
  const { verbatim, paraphrase } = overlap;
  if (verbatim < 0.3 && paraphrase < 0.45) return [];
  const strong = verbatim >= 0.6 || paraphrase >= 0.7;
  return [
    {
      type: 'leak.system_prompt',
      severity: strong ? 'high' : 'medium',
      confidence: Math.min(0.99, Math.max(verbatim, paraphrase * 0.9)),
      start: overlap.start,
      end: overlap.end,
      message: `Response reproduces the system prompt (verbatim ${Math.round(verbatim * 100)}%, paraphrase ${Math.round(paraphrase * 100)}%)`,
    },
  ];
}

/** System-prompt leakage detector for assistant output (verbatim or lightly paraphrased). */
export const leakageDetector: Detector = {
  name: 'leakage',
  roles: ['assistant'],
  attack: false,
  detect,
};
