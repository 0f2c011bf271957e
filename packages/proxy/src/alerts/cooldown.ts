/** Result of a cooldown check. */
export interface CooldownGate {
  /** Deliver this event. */
  pass: boolean;
  /** Events of the same key suppressed since the last one that passed. */
  suppressedBefore: number;
}

/**
 * Per-key cooldown: the first event of a key passes, repeats inside the window are suppressed
 * unless they are more severe than the one that opened the window (an escalation is news).
 */
export interface Cooldown {
  /**
   * `resolved` events always pass and re-arm the key, so the next trigger is delivered at once.
   * `rank` is the event's severity rank (default 0).
   */
  check(key: string, now: number, resolved: boolean, rank?: number): CooldownGate;
  size(): number;
}

interface Entry {
  until: number;
  suppressed: number;
  rank: number;
}

/**
 * Create a cooldown table. It never holds more than `maxKeys` entries: expired ones are pruned
 * first, then the oldest.
 *
 * @param windowMs 0 disables suppression.
 * @param maxKeys default 10 000.
 */
export function createCooldown(windowMs: number, maxKeys = 10_000): Cooldown {
  const entries = new Map<string, Entry>();

  function prune(now: number): void {
    for (const [k, e] of entries) if (e.until <= now && e.suppressed === 0) entries.delete(k);
    // Map iteration is insertion order: drop the oldest keys if expiry did not free enough.
    for (const k of entries.keys()) {
      if (entries.size < maxKeys) break;
      entries.delete(k);
    }
  }

  return {
    check(key, now, resolved, rank = 0) {
      const entry = entries.get(key);
      if (resolved) {
        entries.delete(key);
        return { pass: true, suppressedBefore: entry?.suppressed ?? 0 };
      }
      if (entry && now < entry.until && rank <= entry.rank) {
        entry.suppressed++;
        return { pass: false, suppressedBefore: 0 };
      }
      if (windowMs <= 0) return { pass: true, suppressedBefore: 0 };
      const suppressedBefore = entry?.suppressed ?? 0;
      entries.delete(key);
      if (entries.size >= maxKeys) prune(now);
      entries.set(key, { until: now + windowMs, suppressed: 0, rank });
      return { pass: true, suppressedBefore };
    },
    size() {
      return entries.size;
    },
  };
}
