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

// Crude suffix stripping so light paraphrases ("follows" / "following") still line up.
function stem(w: string): string {
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

function shingles(words: readonly string[], n: number): Set<string> {
  const s = new Set<string>();
  for (let i = 0; i + n <= words.length; i++) s.add(words.slice(i, i + n).join(' '));
  return s;
}

// Paraphrase: content-word bigrams (stop words dropped) survive reordering of filler words.
const content = (ts: readonly Token[]): Token[] => ts.filter((t) => !STOP.has(t.word) && t.word.length > 2);

/** What the overlap measure needs from a system prompt: its token count and its shingle sets. */
interface PromptShingles {
  count: number;
  sys4: Set<string>;
  sys2: Set<string>;
}

function promptShingles(systemPrompt: string): PromptShingles {
  const sys = tokens(systemPrompt, 20_000);
  if (sys.length < 5) return { count: sys.length, sys4: new Set(), sys2: new Set() };
  const sys4 = shingles(
    sys.map((t) => t.word),
    4,
  );
  const sys2 = shingles(
    content(sys).map((t) => t.word),
    2,
  );
  return { count: sys.length, sys4, sys2 };
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
export function systemPromptOverlap(
  response: string,
  systemPrompt: string,
  remember = true,
): { start: number; end: number; verbatim: number; paraphrase: number } | null {
  const { count, sys4, sys2 } = remember ? memoShingles(systemPrompt) : promptShingles(systemPrompt);
  if (count === 0) return null;
  if (count < 5) {
    const needle = systemPrompt.trim().toLowerCase();
    const at = needle.length >= 12 ? response.toLowerCase().indexOf(needle) : -1;
    return at >= 0 ? { start: at, end: at + needle.length, verbatim: 1, paraphrase: 1 } : null;
  }
  const res = tokens(response);
  let first = -1;
  let last = -1;
  const hit4 = new Set<string>();
  for (let i = 0; i + 4 <= res.length; i++) {
    const key = `${res[i]!.word} ${res[i + 1]!.word} ${res[i + 2]!.word} ${res[i + 3]!.word}`;
    if (sys4.has(key)) {
      hit4.add(key);
      if (first < 0) first = res[i]!.start;
      last = res[i + 3]!.end;
    }
  }
  const verbatim = sys4.size > 0 ? hit4.size / sys4.size : 0;

  const resC = content(res);
  const hit2 = new Set<string>();
  for (let i = 0; i + 2 <= resC.length; i++) {
    const key = `${resC[i]!.word} ${resC[i + 1]!.word}`;
    if (sys2.has(key)) {
      hit2.add(key);
      if (first < 0 || resC[i]!.start < first) first = resC[i]!.start;
      if (resC[i + 1]!.end > last) last = resC[i + 1]!.end;
    }
  }
  const paraphrase = sys2.size > 0 ? hit2.size / sys2.size : 0;
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
