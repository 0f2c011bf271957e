import type { CounterStore } from '@llmtrace/core';
import { createMemoryCounterStore } from '@llmtrace/storage/memory';
import { describe, expect, it } from 'vitest';
import { createFallbackCounters } from './fallback-counters.js';
import type { PolicyEvent } from './types.js';

const broken: CounterStore = {
  incrBy: () => Promise.reject(new Error('down')),
  get: () => Promise.reject(new Error('down')),
  incrIfBelow: () => Promise.reject(new Error('down')),
  close: async () => undefined,
};

describe('fallback counters', () => {
  it('fail open: count per process, report which store served, warn once', async () => {
    const warnings: string[] = [];
    const events: PolicyEvent[] = [];
    const fallback = createMemoryCounterStore();
    const c = createFallbackCounters({
      primary: broken,
      fallback,
      logger: { debug() {}, info() {}, error() {}, warn: (m) => void warnings.push(m) },
      onEvent: (e) => events.push(e),
    });
    const a = await c.incrIfBelow('k', 5, 8, 1000);
    const b = await c.incrIfBelow('k', 5, 8, 1000);
    expect([a.ok, b.ok]).toEqual([true, false]);
    expect(a.store).toBe(fallback);
    expect(await c.get('k')).toBe(5);
    expect(warnings).toHaveLength(1);
    expect(events).toEqual([expect.objectContaining({ type: 'store.degraded', component: 'budget' })]);
  });

  it('fail closed: refuse with budget_exceeded', async () => {
    const c = createFallbackCounters({
      primary: broken,
      fallback: createMemoryCounterStore(),
      failMode: 'closed',
    });
    await expect(c.incrIfBelow('k', 1, 10, 1000)).rejects.toMatchObject({ code: 'budget_exceeded' });
  });
});
