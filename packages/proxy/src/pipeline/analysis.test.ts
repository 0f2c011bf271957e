import { type Span, silentLogger } from '@llmtrace/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { callSize, createInlineAnalyzer } from './analysis.js';
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

  it('builds spans in one batch 100 ms after the first, in order, off the response tick', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const analyzer = createInlineAnalyzer({ logger: silentLogger });
    const built: string[] = [];
    for (const id of ['a', 'b', 'c']) analyzer.submit(record(id), (s) => built.push(s?.spanId ?? 'none'));
    const idle = analyzer.idle();
    await new Promise((r) => setImmediate(r)); // not on the tick after the response
    vi.advanceTimersByTime(99);
    expect(built).toEqual([]);
    vi.advanceTimersByTime(1);
    // The batch has started (it may go on in later slices).
    expect(built[0]).toBe('a');
    await idle;
    expect(built).toEqual(['a', 'b', 'c']);
  });

  it('starts a full batch of 32 at once, without waiting out the delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const analyzer = createInlineAnalyzer({ logger: silentLogger });
    const built: string[] = [];
    const submit = (id: string): void => analyzer.submit(record(id), (s) => built.push(s?.spanId ?? 'none'));
    const ids = Array.from({ length: 32 }, (_, i) => `s${i}`);
    for (const id of ids.slice(0, 31)) submit(id);
    await new Promise((r) => setImmediate(r));
    expect(built).toEqual([]);
    submit('s31');
    // Not on the submitting tick: that is the response's.
    expect(built).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(built[0]).toBe('s0');
    await analyzer.idle();
    expect(built).toEqual(ids);
    // The delay's timer was cleared: it builds nothing twice, and the next call waits again.
    vi.advanceTimersByTime(100);
    expect(built).toHaveLength(32);
    submit('late');
    await new Promise((r) => setImmediate(r));
    expect(built).toHaveLength(32);
    vi.advanceTimersByTime(100);
    expect(built.at(-1)).toBe('late');
    await analyzer.idle();
  });

  it('leaves calls that finish during a batch for the next batch', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const analyzer = createInlineAnalyzer({ logger: silentLogger });
    const built: string[] = [];
    const busy = (ms: number): void => {
      const until = performance.now() + ms;
      while (performance.now() < until) {}
    };
    analyzer.submit(record('a'), (s) => {
      built.push(s?.spanId ?? 'none');
      // A call finishing while the batch runs (its slices are 0.2 ms: this one ends the first).
      analyzer.submit(record('late'), (l) => built.push(l?.spanId ?? 'none'));
      busy(0.5);
    });
    analyzer.submit(record('b'), (s) => built.push(s?.spanId ?? 'none'));
    vi.advanceTimersByTime(100);
    while (built.length < 2) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(built).toEqual(['a', 'b']);
    vi.advanceTimersByTime(99);
    expect(built).toEqual(['a', 'b']);
    vi.advanceTimersByTime(1);
    await analyzer.idle();
    expect(built).toEqual(['a', 'b', 'late']);
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
    // 3.5 ms of work in slices of 0.2 ms: the callback ran before the batch's end.
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

describe('callSize', () => {
  const request = { model: 'm', stream: true, params: {} };
  const response = { text: 'answer', toolCalls: [{ name: 'f', arguments: '{"a":1}' }] };

  it('counts the bodies as sent, or their parsed texts where those were read', () => {
    expect(callSize(record('a'))).toBe(0);
    const bodies = {
      ...record('b'),
      requestBody: new Uint8Array(1000),
      responseBody: { bytes: Buffer.alloc(300), contentType: 'application/json', truncated: false },
    };
    expect(callSize(bodies)).toBe(1300);
    const parsed: CallRecord = {
      ...record('c'),
      request: {
        ...request,
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hello' },
        ],
        systemPrompt: 'be brief',
      },
      response,
    };
    // The system prompt once, though the request also holds it apart; the tool call's arguments.
    expect(callSize(parsed)).toBe(8 + 5 + 6 + 7);
  });

  it('counts a system prompt kept apart from the messages (Anthropic `system`)', () => {
    const rec: CallRecord = {
      ...record('d'),
      request: { ...request, messages: [{ role: 'user', content: 'hello' }], systemPrompt: 'x'.repeat(40) },
    };
    expect(callSize(rec)).toBe(45);
  });
});
