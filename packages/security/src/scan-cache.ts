import type { Finding } from '@llmtrace/core';

/** A finding of one scanned text: offsets into it, no location yet. */
export type LocatedFinding = Omit<Finding, 'location'> & { start: number; end: number };

/** Longest text whose findings are remembered, in characters. */
const MAX_ENTRY_CHARS = 32_000;

/** Default budget of remembered text, in characters. */
export const DEFAULT_CACHE_CHARS = 4_000_000;

interface Entry {
  findings: LocatedFinding[];
  chars: number;
  /** The map holding this entry, and its key there (for eviction). */
  texts: Map<string, Entry>;
  text: string;
  /** Where `texts` hangs, so that a context's last entry takes its map along. */
  contexts: Map<string | undefined, Map<string, Entry>>;
  context: string | undefined;
  /** The entry remembered next after this one (age order, for eviction). */
  newer: Entry | undefined;
}

/**
 * Findings remembered per (text, role, context), keyed by the exact strings (no digest to compute or
 * to collide). Bounded by characters: each entry counts its role, context and text, as if they were
 * one key; the oldest entries go first.
 *
 * Entries sit in one map of texts per (role, context) rather than under one joined key: joining a
 * 1.5 KB system prompt and a response would copy both on every lookup.
 *
 * @example
 * const cache = createScanCache(DEFAULT_CACHE_CHARS);
 * if (!cache.get('hi', 'user', undefined)) cache.set('hi', 'user', undefined, []);
 * cache.get('hi', 'user', undefined); // []
 */
export function createScanCache(budgetChars: number) {
  const roles = new Map<string, Map<string | undefined, Map<string, Entry>>>();
  // Entries in age order, a queue linked through `newer`: eviction takes the oldest first. (A Set
  // walked from its front would step over every entry deleted since V8 last compacted it.)
  let oldest: Entry | undefined;
  let newest: Entry | undefined;
  let count = 0;
  let chars = 0;

  /** Characters charged for an entry: the length of the joined key this cache used to build. */
  const charge = (text: string, role: string, context: string | undefined): number =>
    context === undefined
      ? role.length + 3 + text.length
      : role.length + 2 + String(context.length).length + context.length + text.length;

  /** Whether a text is to be remembered at all. */
  const rememberable = (text: string, context: string | undefined): boolean =>
    budgetChars > 0 &&
    text.length <= MAX_ENTRY_CHARS &&
    (context === undefined || context.length <= MAX_ENTRY_CHARS);

  return {
    /** Remembered findings for a text, or `undefined`. */
    get(text: string, role: string, context: string | undefined): LocatedFinding[] | undefined {
      if (!rememberable(text, context)) return undefined;
      return roles.get(role)?.get(context)?.get(text)?.findings;
    },
    /** Remember the findings of a text (a no-op when it is too long or already remembered). */
    set(text: string, role: string, context: string | undefined, findings: LocatedFinding[]): void {
      if (!rememberable(text, context)) return;
      const size = charge(text, role, context);
      if (size > budgetChars) return;
      let contexts = roles.get(role);
      if (!contexts) {
        contexts = new Map();
        roles.set(role, contexts);
      }
      let texts = contexts.get(context);
      if (!texts) {
        texts = new Map();
        contexts.set(context, texts);
      }
      if (texts.has(text)) return;
      const entry: Entry = { findings, chars: size, texts, text, contexts, context, newer: undefined };
      texts.set(text, entry);
      if (newest) newest.newer = entry;
      else oldest = entry;
      newest = entry;
      count++;
      chars += size;
      while (chars > budgetChars && oldest) {
        const e = oldest;
        oldest = e.newer;
        if (!oldest) newest = undefined;
        e.newer = undefined;
        count--;
        e.texts.delete(e.text);
        if (e.texts.size === 0 && e.contexts.get(e.context) === e.texts) e.contexts.delete(e.context);
        chars -= e.chars;
      }
    },
    /** Remembered entries (for tests). */
    size: () => count,
  };
}

/** Slots in the table of texts seen once (a power of two; 256 KiB). */
export const DEFAULT_SIGHTING_SLOTS = 1 << 16;

/**
 * Texts seen once, as 32-bit hashes in a fixed table, so that the scan cache remembers a text only
 * when it comes again. Most texts a proxy scans are new with every call (the user's message, the
 * answer). Remembered at once, each stayed until the cache's budget pushed it out: long enough to
 * be promoted to V8's old generation and collected there, about 1 KB per call and all but 3% of
 * the proxy's promotion (bench/proxy/alloc.mjs). A text that does come again (a system prompt, a
 * conversation's history) is scanned twice instead of once. A hash collision admits a text early
 * and an overwritten slot late, which costs a scan, never a wrong result.
 *
 * @example
 * const seen = createSightings();
 * seen.again('hi there', 'user', undefined); // false: noted
 * seen.again('hi there', 'user', undefined); // true
 */
export function createSightings(slots: number = DEFAULT_SIGHTING_SLOTS) {
  const table = new Int32Array(slots);
  const mask = slots - 1;
  return {
    /** Whether the text was seen before in this role and context; notes it if not. */
    again(text: string, role: string, context: string | undefined): boolean {
      if (text.length > MAX_ENTRY_CHARS) return false;
      // FNV-1a over the role and the text; the context by its length (hashing a long system prompt
      // with every response would cost more than the rare early admission it prevents).
      let h = 0x811c9dc5 ^ (context === undefined ? -1 : context.length);
      for (let i = 0; i < role.length; i++) h = Math.imul(h ^ role.charCodeAt(i), 0x01000193);
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      h |= 1; // 0 marks an empty slot
      const slot = (h ^ (h >>> 16)) & mask;
      if (table[slot] === h) return true;
      table[slot] = h;
      return false;
    },
  };
}
