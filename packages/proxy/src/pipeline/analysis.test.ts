import { type Span, silentLogger } from '@llmtrace/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInlineAnalyzer } from './analysis.js';
import type { CallRecord } from './finalize.js';

function record(spanId: string): CallRecord {
  return {
    traceId: 't',
    spanId,
    identity: { tenantId: 'tenant-a' },
    method: 'POST',
    path: '/v1/other',
    stream: false,
    startTime: 1000,
    endTime: 1020,
    statusCode: 200,
    status: 'ok',
  };
}

describe('inline analyzer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('builds spans in one batch a few milliseconds later, in order, off the response tick', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const analyzer = createInlineAnalyzer({ logger: silentLogger });
    const built: string[] = [];
    for (const id of ['a', 'b', 'c']) analyzer.submit(record(id), (s) => built.push(s?.spanId ?? 'none'));
    const idle = analyzer.idle();
    await new Promise((r) => setImmediate(r)); // not on the tick after the response
    vi.advanceTimersByTime(4);
    expect(built).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(built).toEqual(['a', 'b', 'c']);
    await idle;
  });

  it('lets other callbacks run between slices of a long batch, and still builds in order', async () => {
    const analyzer = createInlineAnalyzer({ logger: silentLogger });
    const order: string[] = [];
    const busy = (ms: number): void => {
      const until = performance.now() + ms;
      while (performance.now() < until) {}
    };
    for (const id of ['a', 'b', 'c', 'd', 'e'])
      analyzer.submit(record(id), (s) => {
        // Queued while the batch runs, as an arriving chunk's callback would be.
        if (id === 'a') setImmediate(() => order.push('io'));
        busy(0.7);
        order.push(s?.spanId ?? 'none');
      });
    await analyzer.idle();
    // 3.5 ms of work in 1 ms slices: the callback ran before the batch's end.
    expect(order.indexOf('io')).toBeGreaterThan(0);
    expect(order.indexOf('io')).toBeLessThan(order.length - 1);
    expect(order.filter((x) => x !== 'io')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('a done callback that throws does not cost the rest of the batch', async () => {
    const errors: string[] = [];
    const analyzer = createInlineAnalyzer({ logger: { ...silentLogger, error: (m) => errors.push(m) } });
    const built: Array<Span | undefined> = [];
    analyzer.submit(record('a'), () => {
      throw new Error('boom');
    });
    analyzer.submit(record('b'), (s) => built.push(s));
    await analyzer.idle();
    expect(built.map((s) => s?.spanId)).toEqual(['b']);
    expect(errors).toEqual(['span delivery threw']);
  });
});
