import type { CounterStore } from '@llmtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The shared-counter contract, run against the memory and Redis implementations. */
export function runCounterContract(name: string, create: () => Promise<CounterStore>): void {
  describe(`CounterStore contract: ${name}`, () => {
    let c: CounterStore;
    const run = Math.random().toString(36).slice(2);
    const key = (k: string): string => `test:${run}:${k}`;
    beforeAll(async () => {
      c = await create();
    });
    afterAll(async () => {
      await c?.close();
    });

    it('starts at 0, adds, and keeps fractional amounts', async () => {
      expect(await c.get(key('a'))).toBe(0);
      expect(await c.incrBy(key('a'), 2, 60_000)).toBe(2);
      expect(await c.incrBy(key('a'), 0.25, 60_000)).toBeCloseTo(2.25, 10);
      expect(await c.get(key('a'))).toBeCloseTo(2.25, 10);
    });

    it('adds only while the result stays within the limit', async () => {
      expect(await c.incrIfBelow(key('l'), 3, 5, 60_000)).toEqual({ ok: true, value: 3 });
      expect(await c.incrIfBelow(key('l'), 2, 5, 60_000)).toEqual({ ok: true, value: 5 });
      expect(await c.incrIfBelow(key('l'), 1, 5, 60_000)).toEqual({ ok: false, value: 5 });
      expect(await c.get(key('l'))).toBe(5);
    });

    it('is atomic under concurrent callers', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => c.incrIfBelow(key('race'), 1, 20, 60_000)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(20);
      expect(await c.get(key('race'))).toBe(20);
    });

    it('expires a window after its ttl', async () => {
      await c.incrBy(key('ttl'), 5, 50);
      await c.incrBy(key('ttl'), 1, 60_000); // does not extend the window
      await new Promise((r) => setTimeout(r, 120));
      expect(await c.get(key('ttl'))).toBe(0);
      expect(await c.incrIfBelow(key('ttl'), 1, 1, 60_000)).toEqual({ ok: true, value: 1 });
    });
  });
}
