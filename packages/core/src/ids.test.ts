import { describe, expect, it } from 'vitest';
import { newSpanId, newTraceId } from './ids.js';

describe('ids', () => {
  it('are lowercase hex of the W3C lengths and do not repeat across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = newTraceId();
      const s = newSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(2000);
  });
});
