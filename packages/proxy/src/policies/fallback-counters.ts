import { type CounterStore, LLMTraceError, type Logger, silentLogger } from '@llmtrace/core';
import type { FailMode, PolicyEventListener } from './types.js';

/** Options for {@link createFallbackCounters}. */
export interface FallbackCountersOptions {
  /** The shared store (Redis). */
  primary: CounterStore;
  /** The per-process store used while the shared one fails (memory). */
  fallback: CounterStore;
  /** On a shared-store error: `open` (default) counts in `fallback`; `closed` refuses with 429. */
  failMode?: FailMode;
  logger?: Logger;
  onEvent?: PolicyEventListener;
}

/** A counter store that reports which store served each call, so a settlement goes back to it. */
export interface FallbackCounters {
  incrIfBelow(
    key: string,
    delta: number,
    limit: number,
    ttlMs: number,
  ): Promise<{ ok: boolean; value: number; store: CounterStore }>;
  get(key: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Budgets over a shared store that degrade instead of failing traffic: when the shared store errors,
 * `open` mode counts in the per-process store (with a warning, at most every 10 s) and `closed`
 * mode refuses the request with 429. Reads fall back the same way.
 */
export function createFallbackCounters(options: FallbackCountersOptions): FallbackCounters {
  const logger = options.logger ?? silentLogger;
  const failMode = options.failMode ?? 'open';
  let lastWarn = 0;
  const degrade = (err: unknown): void => {
    if (failMode === 'closed') {
      logger.warn('budget store unavailable: refusing traffic (fail-closed)', { err: String(err) });
      throw new LLMTraceError('budget_exceeded', 'budget store unavailable');
    }
    const now = Date.now();
    if (now - lastWarn >= 10_000) {
      lastWarn = now;
      logger.warn('budget store unavailable: enforcing per-process budgets until it recovers', {
        err: String(err),
      });
      options.onEvent?.({
        type: 'store.degraded',
        component: 'budget',
        detail: 'counter store unavailable; per-process budgets',
      });
    }
  };
  return {
    async incrIfBelow(key, delta, limit, ttlMs) {
      try {
        return { ...(await options.primary.incrIfBelow(key, delta, limit, ttlMs)), store: options.primary };
      } catch (err) {
        degrade(err);
        return { ...(await options.fallback.incrIfBelow(key, delta, limit, ttlMs)), store: options.fallback };
      }
    },
    async get(key) {
      try {
        return await options.primary.get(key);
      } catch (err) {
        degrade(err);
        return options.fallback.get(key);
      }
    },
    async close() {
      await options.fallback.close();
    },
  };
}
