import type { CounterStore } from '@llmtrace/core';

/** Options for {@link createMemoryCounterStore}. */
export interface MemoryCounterStoreOptions {
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Shared counters for one process (limits and budgets without Redis). Keys expire `ttlMs` after
 * they were created, like a fixed window; expired keys are removed lazily.
 *
 * @example
 * const counters = createMemoryCounterStore();
 * await counters.incrIfBelow('rpm:acme', 1, 60, 60_000);
 */
export function createMemoryCounterStore(options: MemoryCounterStoreOptions = {}): CounterStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: number; expiresAt: number }>();
  const live = (key: string): { value: number; expiresAt: number } | undefined => {
    const e = entries.get(key);
    if (e && e.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  const add = (key: string, delta: number, ttlMs: number): number => {
    const e = live(key);
    if (e) {
      e.value += delta;
      return e.value;
    }
    entries.set(key, { value: delta, expiresAt: now() + ttlMs });
    return delta;
  };
  return {
    async incrBy(key: string, delta: number, ttlMs: number): Promise<number> {
      return add(key, delta, ttlMs);
    },
    async get(key: string): Promise<number> {
      return live(key)?.value ?? 0;
    },
    async incrIfBelow(
      key: string,
      delta: number,
      limit: number,
      ttlMs: number,
    ): Promise<{ ok: boolean; value: number }> {
      const current = live(key)?.value ?? 0;
      if (current + delta > limit) return { ok: false, value: current };
      return { ok: true, value: add(key, delta, ttlMs) };
    },
    async close(): Promise<void> {
      entries.clear();
    },
  };
}
