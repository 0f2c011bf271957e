import type { Finding } from '@llmtrace/core';

/** A finding of one scanned text: offsets into it, no location yet. */
export type LocatedFinding = Omit<Finding, 'location'> & { start: number; end: number };

/** Longest text whose findings are remembered, in characters. */
const MAX_ENTRY_CHARS = 32_000;

/** Default budget of remembered text, in characters. */
export const DEFAULT_CACHE_CHARS = 4_000_000;

/**
 * Findings remembered per (text, role, context), keyed by the exact text (no digest to compute or
 * to collide). Bounded by the characters of its keys; the oldest entries go first.
 */
export function createScanCache(budgetChars: number) {
  const entries = new Map<string, { findings: LocatedFinding[]; chars: number }>();
  let chars = 0;
  return {
    /** The key for a text, or `undefined` when it is not to be remembered. */
    key(text: string, role: string, context: string | undefined): string | undefined {
      if (budgetChars <= 0 || text.length > MAX_ENTRY_CHARS) return undefined;
      if (context !== undefined && context.length > MAX_ENTRY_CHARS) return undefined;
      // The context's length makes the split between context and text unambiguous.
      const key = context === undefined ? `${role}:-:${text}` : `${role}:${context.length}:${context}${text}`;
      return key.length > budgetChars ? undefined : key;
    },
    get(key: string): LocatedFinding[] | undefined {
      return entries.get(key)?.findings;
    },
    set(key: string, findings: LocatedFinding[]): void {
      if (entries.has(key)) return;
      entries.set(key, { findings, chars: key.length });
      chars += key.length;
      for (const [k, e] of entries) {
        if (chars <= budgetChars) break;
        entries.delete(k);
        chars -= e.chars;
      }
    },
    /** Remembered entries (for tests). */
    size: () => entries.size,
  };
}
