import { describe, expect, it } from 'vitest';
import { newSpanId, newTraceId } from './ids.js';

describe('ids', () => {
  it('are lowercase hex of the W3C lengths and do not repeat across pool refills', () => {
    const traces = new Set<string>();
    const spans = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = newTraceId();
      const s = newSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      traces.add(t);
      spans.add(s);
    }
    expect(traces.size).toBe(2000);
    expect(spans.size).toBe(2000);
  });

  it('trace ids start with the time in ms, so later ids sort after earlier ones', () => {
    const now = Date.UTC(2026, 10, 28, 2, 30);
    const id = newTraceId(now);
    expect(Number.parseInt(id.slice(0, 12), 16)).toBe(now);
    expect(newTraceId(now + 1) > newTraceId(now)).toBe(true);
    // The random part differs between ids of the same millisecond.
    expect(newTraceId(now).slice(12)).not.toBe(newTraceId(now).slice(12));
  });

  it('span ids start with the time in 256 ms steps, wrapping after 2^16 steps', () => {
    const now = Date.UTC(2026, 10, 28, 2, 30);
    const step = Math.floor(now / 256) % 0x10000;
    expect(Number.parseInt(newSpanId(now).slice(0, 4), 16)).toBe(step);
    // The same step, the same prefix; the next step, the next prefix.
    expect(newSpanId(now + 255 - (now % 256)).slice(0, 4)).toBe(newSpanId(now).slice(0, 4));
    expect(Number.parseInt(newSpanId(now + 256).slice(0, 4), 16)).toBe((step + 1) % 0x10000);
    const wrapAt = (Math.floor(now / (256 * 0x10000)) + 1) * 256 * 0x10000;
    expect(newSpanId(wrapAt).slice(0, 4)).toBe('0000');
    expect(newSpanId(wrapAt - 1).slice(0, 4)).toBe('ffff');
  });
});
