import type { Severity } from '@llmtrace/core';
import type { NormalizedText } from '../normalize.js';
import type { ScanRole } from '../types.js';

/** A finding as a detector reports it: offsets are in normalised-text coordinates. */
export interface RawFinding {
  type: string;
  severity: Severity;
  /** 0–1. */
  confidence: number;
  start: number;
  end: number;
  message: string;
  /** Set when the offsets are already original-text offsets (no mapping needed). */
  original?: boolean;
}

/** What a detector sees. */
export interface DetectorInput {
  /** The text exactly as received. */
  original: string;
  norm: NormalizedText;
  /** Lower-cased normalised text, for cheap keyword pre-filters only (lengths may differ). */
  lower: string;
  /** Leetspeak-folded normalised text (same length as `norm.text`), or null if nothing to fold. */
  leet: string | null;
  role: ScanRole;
  systemPrompt?: string;
  /** Nesting depth of decoded payloads (0 = the text as sent). */
  depth: number;
  /** Re-run the attack detectors on a decoded payload (used by the encoding detector). */
  rescan(text: string): RawFinding[];
  /**
   * `false`: skip the speed-only shortcuts (pre-filters that rule out matches, memos), for
   * equivalence tests and benchmarks. Findings are the same either way. Default `true`.
   */
  prefilters?: boolean;
}

/** A detector: pure, synchronous; returns findings and should not throw (the scanner guards anyway). */
export interface Detector {
  name: string;
  /** Roles this detector runs for. */
  roles: readonly ScanRole[];
  /** Whether findings from this detector count as attacks (re-scanned inside decoded payloads). */
  attack: boolean;
  detect(input: DetectorInput): RawFinding[];
}

/** One regex rule with a cheap keyword pre-filter. */
export interface PatternRule {
  id: string;
  type: string;
  severity: Severity;
  confidence: number;
  /** Lower-case substrings; the regex only runs if one occurs in the lower-cased text. */
  keywords: readonly string[];
  /**
   * Must carry the `g` flag. Lower-case source matched against the lower-cased text (unless
   * `caseSensitive`). Written without nested quantifiers (linear in practice).
   */
  pattern: RegExp;
  /** Match the original-case text instead (e.g. upper-case persona names). */
  caseSensitive?: boolean;
  message: string;
}

const MAX_MATCHES_PER_RULE = 50;
const insensitiveCache = new WeakMap<RegExp, RegExp>();

function insensitive(re: RegExp): RegExp {
  let copy = insensitiveCache.get(re);
  if (!copy) {
    copy = new RegExp(re.source, `${re.flags}i`);
    insensitiveCache.set(re, copy);
  }
  return copy;
}

// Large texts: rules only run in windows around trigger words, and at most this many characters
// of windows per text, so a megabyte of adversarial filler cannot make every rule scan all of it.
const WINDOW_THRESHOLD = 32 * 1024;
const WINDOW_RADIUS = 400;
const MAX_WINDOW_CHARS = 96 * 1024;
const TRIGGERS =
  /ignor|disregard|forget|overlook|bypass|override|instruction|prompt|system|assistant|developer|jailbr|\bdan\b|do anything|pretend|act as|you are|you're|from now|mode|restrict|filter|censor|refus|apolog|polic|ethic|moral|character|hypothetical|fictional|<\||\[inst|<<sys|"""|```|<\/|vergiss|ignorier|anweisung|oubli|olvid|instrucc|your (?:answer|response|reply|output)|\bai\b|\bllm\b|repeat|reveal|new (?:task|rule)|token|nsfw|illegal|unethical|no longer/g;

let windowCache: { text: string; spans: Array<[number, number]> } | undefined;

/** Windows (merged, capped) around trigger words in a large lower-cased text. */
function windowsFor(lower: string): Array<[number, number]> {
  if (windowCache && windowCache.text === lower) return windowCache.spans;
  const spans: Array<[number, number]> = [];
  let total = 0;
  TRIGGERS.lastIndex = 0;
  for (let m = TRIGGERS.exec(lower); m !== null; m = TRIGGERS.exec(lower)) {
    const s = Math.max(0, m.index - WINDOW_RADIUS);
    const e = Math.min(lower.length, m.index + m[0].length + WINDOW_RADIUS);
    const last = spans[spans.length - 1];
    if (last && s <= last[1]) {
      total += e - last[1];
      last[1] = e;
    } else {
      spans.push([s, e]);
      total += e - s;
    }
    if (total >= MAX_WINDOW_CHARS) break;
    // Skip ahead: everything up to the window's end is already covered.
    TRIGGERS.lastIndex = Math.max(TRIGGERS.lastIndex, e - WINDOW_RADIUS);
  }
  windowCache = { text: lower, spans };
  return spans;
}

/**
 * Run pattern rules on `text` (normalised coordinates). The keyword pre-filter keeps clean texts
 * fast (most rules never run their regex); texts over 32 KiB are matched in windows around
 * trigger words only. `fast: false` finds the keywords the plain way (same result; for tests).
 */
export function runRules(
  rules: readonly PatternRule[],
  text: string,
  lower: string,
  fast = true,
): RawFinding[] {
  if (text.length <= WINDOW_THRESHOLD || lower.length !== text.length)
    return runRulesOn(rules, text, lower, 0, fast);
  const out: RawFinding[] = [];
  for (const [s, e] of windowsFor(lower))
    out.push(...runRulesOn(rules, text.slice(s, e), lower.slice(s, e), s, fast));
  return out;
}

interface KeywordScanner {
  /** Every keyword, longest first: at each position the first alternative to match is the longest. */
  re: RegExp;
  /** The same inside a zero-width look-ahead (the plain path). */
  lookahead: RegExp;
  keywords: string[];
  /** Keyword → its index in `keywords`. */
  index: Map<string, number>;
  /** By keyword index: the indices of the keywords it contains (itself included). */
  within: number[][];
  /** By rule (same order as the rule list): the indices of its keywords. */
  ruleKeywords: number[][];
  /** Scratch, by keyword index: 1 when the keyword occurs in the text being matched. */
  present: Uint8Array;
  /** Scratch, by keyword index: 1 when a match of the alternation was exactly this keyword. */
  seen: Uint8Array;
  /** How many keywords `present` marks (the fast path's count). */
  count: number;
}

/**
 * Aho–Corasick over UTF-16 code units, as a full transition table: one table read per character
 * of the text finds every keyword occurring in it, where the alternation tries every keyword at
 * every position. Code units in no keyword share class 0, which leads back to the start.
 */
interface KeywordAutomaton {
  /** Code unit → its class (1..classes-1), 0 for those in no keyword. */
  classOf: Uint8Array;
  classes: number;
  /**
   * A state is the offset of its row (`state * classes`); `step[offset + class]` is the next
   * state's offset times two, plus one when keywords end there.
   */
  step: Uint32Array;
  /** By state: the keywords that end there (suffixes included), if any. */
  found: (number[] | undefined)[];
}

/**
 * Run `automaton` over `text`, calling `onFound` with each state reached where keywords end (rare
 * in ordinary text); stops early when it returns true.
 */
function eachFound(automaton: KeywordAutomaton, text: string, onFound: (state: number) => boolean): void {
  const { classOf, classes, step } = automaton;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const to = step[at + classOf[text.charCodeAt(i)]!]!;
    at = to >>> 1;
    if ((to & 1) === 1 && onFound(at / classes)) return;
  }
}

function keywordAutomaton(keywords: readonly string[]): KeywordAutomaton | undefined {
  const classOf = new Uint8Array(0x10000);
  let classes = 1;
  for (const k of keywords)
    for (let i = 0; i < k.length; i++) {
      const c = k.charCodeAt(i);
      if (classOf[c] !== 0) continue;
      if (classes === 256) return undefined;
      classOf[c] = classes++;
    }
  // The trie: goto edges per state, and the keywords ending at each state.
  const edges: Map<number, number>[] = [new Map()];
  const ends: number[][] = [[]];
  keywords.forEach((k, index) => {
    let state = 0;
    for (let i = 0; i < k.length; i++) {
      const cls = classOf[k.charCodeAt(i)]!;
      let to = edges[state]!.get(cls);
      if (to === undefined) {
        to = edges.length;
        edges.push(new Map());
        ends.push([]);
        edges[state]!.set(cls, to);
      }
      state = to;
    }
    ends[state]!.push(index);
  });
  if (edges.length > 0xffff) return undefined;
  const next = new Uint16Array(edges.length * classes);
  const found: (number[] | undefined)[] = new Array(edges.length).fill(undefined);
  // Breadth first, so a state's failure state (a shorter suffix) is complete before it.
  const fail = new Int32Array(edges.length);
  const queue: number[] = [];
  for (const [cls, to] of edges[0]!) {
    next[cls] = to;
    queue.push(to);
  }
  for (let q = 0; q < queue.length; q++) {
    const state = queue[q]!;
    const f = fail[state]!;
    const own = ends[state]!;
    const inherited = found[f];
    if (own.length > 0 || inherited) found[state] = [...own, ...(inherited ?? [])];
    for (let cls = 0; cls < classes; cls++) {
      const to = edges[state]!.get(cls);
      if (to === undefined) next[state * classes + cls] = next[f * classes + cls]!;
      else {
        next[state * classes + cls] = to;
        fail[to] = next[f * classes + cls]!;
        queue.push(to);
      }
    }
  }
  const step = new Uint32Array(next.length);
  for (let i = 0; i < next.length; i++) step[i] = ((next[i]! * classes) << 1) | (found[next[i]!] ? 1 : 0);
  return { classOf, classes, step, found };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// One pass finds every keyword of a rule list (instead of one substring search per keyword per rule).
const keywordScanners = new WeakMap<readonly PatternRule[], KeywordScanner>();

function keywordScanner(rules: readonly PatternRule[]): KeywordScanner {
  let scanner = keywordScanners.get(rules);
  if (!scanner) {
    const keywords = [...new Set(rules.flatMap((r) => r.keywords))].sort((a, b) => b.length - a.length);
    const alternation = keywords.map(escapeRegExp).join('|');
    const index = new Map(keywords.map((k, i) => [k, i]));
    const within = keywords.map((m) => keywords.flatMap((k, i) => (m.includes(k) ? [i] : [])));
    scanner = {
      re: new RegExp(alternation, 'g'),
      lookahead: new RegExp(`(?=(${alternation}))`, 'g'),
      keywords,
      index,
      within,
      ruleKeywords: rules.map((r) => r.keywords.map((k) => index.get(k)!)),
      present: new Uint8Array(keywords.length),
      seen: new Uint8Array(keywords.length),
      count: 0,
    };
    keywordScanners.set(rules, scanner);
    lists.push(scanner);
    shared = null;
    marked = undefined;
  }
  return scanner;
}

/**
 * Every rule list's keywords in one automaton, so that a text whose rules several detectors run
 * (injection, indirect injection, jailbreak) is read once for all of them. Rebuilt after a rule
 * list is first used; `undefined` when the keywords do not fit one automaton (the alternation is
 * used instead).
 */
const lists: KeywordScanner[] = [];
let shared: { automaton: KeywordAutomaton; list: Int32Array; local: Int32Array } | undefined | null = null;
/** The text whose keywords every list's `present` and `count` hold now, if any. */
let marked: string | undefined;

function sharedAutomaton(): { automaton: KeywordAutomaton; list: Int32Array; local: Int32Array } | undefined {
  if (shared === null) {
    const words: string[] = [];
    const list: number[] = [];
    const local: number[] = [];
    lists.forEach((s, l) => {
      s.keywords.forEach((k, i) => {
        words.push(k);
        list.push(l);
        local.push(i);
      });
    });
    const automaton = keywordAutomaton(words);
    shared = automaton
      ? { automaton, list: Int32Array.from(list), local: Int32Array.from(local) }
      : undefined;
  }
  return shared;
}

/**
 * Mark in `scanner.present` the keywords that occur in `lower`; returns how many do. The marks are
 * scratch space, valid until the next call for the same rule list (matching never re-enters it).
 */
function presentKeywords(scanner: KeywordScanner, lower: string, fast: boolean): number {
  const { keywords, present, seen } = scanner;
  const all = fast ? sharedAutomaton() : undefined;
  if (all) {
    if (marked !== lower) {
      for (const s of lists) {
        s.present.fill(0);
        s.count = 0;
      }
      eachFound(all.automaton, lower, (state) => {
        for (const k of all.automaton.found[state]!) {
          const s = lists[all.list[k]!]!;
          const i = all.local[k]!;
          if (s.present[i] === 0) {
            s.present[i] = 1;
            s.count++;
          }
        }
        return false;
      });
      marked = lower;
    }
    return scanner.count;
  }
  // The marks are about to hold this list's keywords only.
  marked = undefined;
  present.fill(0);
  seen.fill(0);
  const re = fast ? scanner.re : scanner.lookahead;
  re.lastIndex = 0;
  // Restart one character after each hit, so every start position is tried and overlapping
  // keywords are all seen.
  let hits = 0;
  for (let m = re.exec(lower); m !== null; m = re.exec(lower)) {
    seen[scanner.index.get(fast ? m[0] : m[1]!)!] = 1;
    hits++;
    re.lastIndex = m.index + 1;
  }
  if (hits === 0) return 0;
  // A longer keyword found at a position hides shorter ones starting there ("you are now" / "you are").
  let count = 0;
  if (fast) {
    for (let m = 0; m < keywords.length; m++) {
      if (seen[m] === 0) continue;
      for (const k of scanner.within[m]!) {
        if (present[k] === 0) count++;
        present[k] = 1;
      }
    }
  } else {
    for (let k = 0; k < keywords.length; k++) {
      let found = seen[k] === 1;
      for (let m = 0; m < keywords.length && !found; m++)
        if (seen[m] === 1 && keywords[m]!.includes(keywords[k]!)) found = true;
      if (found) {
        present[k] = 1;
        count++;
      }
    }
  }
  return count;
}

/**
 * Which of several word lists occur in a text, found in one pass of a keyword automaton: bit `i`
 * of the answer is set when a word of list `i` occurs (case-sensitive substring search).
 *
 * @example
 * const inText = keywordGroups([['ignore'], ['erongi']]);
 * inText('please ignore this'); // 0b01
 */
export function keywordGroups(groups: readonly (readonly string[])[]): (text: string) => number {
  const words = groups.flat();
  const groupOf = groups.flatMap((g, i) => g.map(() => i));
  const all = (1 << groups.length) - 1;
  const automaton = keywordAutomaton(words);
  if (!automaton || groups.length > 8) {
    const res = groups.map((g) => new RegExp(g.map(escapeRegExp).join('|')));
    return (text) => res.reduce((mask, re, i) => (re.test(text) ? mask | (1 << i) : mask), 0);
  }
  const maskOf = new Uint8Array(automaton.found.length);
  automaton.found.forEach((ks, state) => {
    for (const k of ks ?? []) maskOf[state]! |= 1 << groupOf[k]!;
  });
  return (text) => {
    let mask = 0;
    eachFound(automaton, text, (state) => {
      mask |= maskOf[state]!;
      return mask === all;
    });
    return mask;
  };
}

/** The keywords of a rule list that occur in `lower`, found the fast or the plain way. For tests. */
export function keywordsIn(rules: readonly PatternRule[], lower: string, fast: boolean): string[] {
  const scanner = keywordScanner(rules);
  presentKeywords(scanner, lower, fast);
  return scanner.keywords.filter((_, k) => scanner.present[k] === 1);
}

function runRulesOn(
  rules: readonly PatternRule[],
  text: string,
  lower: string,
  offset: number,
  fast: boolean,
): RawFinding[] {
  const out: RawFinding[] = [];
  const scanner = keywordScanner(rules);
  if (presentKeywords(scanner, lower, fast) === 0) return out;
  const { present, ruleKeywords } = scanner;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    let any = false;
    for (const k of ruleKeywords[r]!) {
      if (present[k] === 1) {
        any = true;
        break;
      }
    }
    if (!any) continue;
    // Lower-casing can change the length of a few characters (e.g. U+0130); then fall back to a
    // case-insensitive copy of the pattern on the original text so offsets stay right.
    const sameLength = lower.length === text.length;
    const pattern = rule.caseSensitive || sameLength ? rule.pattern : insensitive(rule.pattern);
    const subject = rule.caseSensitive || !sameLength ? text : lower;
    pattern.lastIndex = 0;
    let count = 0;
    for (let m = pattern.exec(subject); m !== null; m = pattern.exec(subject)) {
      if (m[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      out.push({
        type: rule.type,
        severity: rule.severity,
        confidence: rule.confidence,
        start: offset + m.index,
        end: offset + m.index + m[0].length,
        message: rule.message,
      });
      if (++count >= MAX_MATCHES_PER_RULE) break;
    }
  }
  return out;
}
