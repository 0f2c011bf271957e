import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Span, TraceStore } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../memory/index.js';
import { createSpanWriter } from './span-writer.js';

const span = (i: number): Span => ({
  traceId: `t${i}`,
  spanId: `s${String(i).padStart(6, '0')}`,
  tenantId: 'tenant',
  operation: 'chat',
  provider: 'openai',
  model: 'gpt-4o',
  startTime: 1_700_000_000_000 + i,
  endTime: 1_700_000_000_010 + i,
  durationMs: 10,
  stream: false,
  statusCode: 200,
  status: 'ok',
  promptTokens: 1,
  completionTokens: 1,
  totalTokens: 2,
  usageSource: 'upstream',
  securityScore: 0,
  findings: [],
  prompt: [{ role: 'user', content: `prompt ${i}` }],
  response: `response ${i}`,
  toolCalls: [],
  tags: {},
});

/** A store that can be switched off; records every insert call. */
function flakyStore(): TraceStore & { down: boolean; calls: number; inserted: string[] } {
  const inner = createMemoryStore();
  const s = {
    ...inner,
    name: 'flaky',
    down: false,
    calls: 0,
    inserted: [] as string[],
    async insertSpans(batch: readonly Span[]): Promise<void> {
      s.calls += 1;
      if (s.down) throw new Error('connection refused');
      s.inserted.push(...batch.map((x) => x.spanId));
      await inner.insertSpans(batch);
    },
  };
  return s;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'llmtrace-writer-'));
  dirs.push(d);
  return d;
};

describe('createSpanWriter', () => {
  it('batches by size and flushes the remainder on close', async () => {
    const store = flakyStore();
    const w = createSpanWriter(store, { batchSize: 10, flushIntervalMs: 10_000 });
    for (let i = 0; i < 25; i++) w.record(span(i));
    await w.flush();
    await w.close();
    expect(store.inserted).toHaveLength(25);
    expect(store.calls).toBe(3);
    expect(w.stats()).toMatchObject({ written: 25, queued: 0, dropped: 0, breaker: 'closed' });
  });

  it('flushes on the interval without reaching the batch size', async () => {
    const store = flakyStore();
    const w = createSpanWriter(store, { batchSize: 100, flushIntervalMs: 20 });
    w.record(span(1));
    await new Promise((r) => setTimeout(r, 120));
    expect(store.inserted).toEqual([span(1).spanId]);
    await w.close();
  });

  it('retries failed batches and opens the breaker, then recovers by itself', async () => {
    const store = flakyStore();
    store.down = true;
    const w = createSpanWriter(store, {
      batchSize: 5,
      flushIntervalMs: 10,
      retryBaseMs: 1,
      retryMaxMs: 2,
      breakerThreshold: 3,
      breakerCooldownMs: 300,
    });
    for (let i = 0; i < 12; i++) w.record(span(i));
    await new Promise((r) => setTimeout(r, 40));
    expect(w.stats().breaker).toBe('open');
    const callsWhileOpen = store.calls;
    await new Promise((r) => setTimeout(r, 20));
    expect(store.calls).toBe(callsWhileOpen); // no hammering a dead store
    expect(w.stats().retries).toBeGreaterThanOrEqual(3);
    store.down = false;
    await new Promise((r) => setTimeout(r, 500));
    expect(w.stats()).toMatchObject({ breaker: 'closed', written: 12, queued: 0 });
    expect(store.inserted).toEqual(Array.from({ length: 12 }, (_, i) => span(i).spanId));
    await w.close();
  });

  it('record never throws or waits, even when the store hangs', async () => {
    const hanging: TraceStore = { ...createMemoryStore(), insertSpans: () => new Promise(() => {}) };
    const w = createSpanWriter(hanging, { batchSize: 10, maxQueue: 50, closeTimeoutMs: 50 });
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) w.record(span(i));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(w.stats().queued).toBe(50);
    expect(w.stats().dropped).toBe(10_000 - 50);
  });

  it('spills to the spool past maxQueue and replays it in order once the store is back', async () => {
    const dir = tmp();
    const store = flakyStore();
    store.down = true;
    const w = createSpanWriter(store, {
      batchSize: 20,
      maxQueue: 50,
      flushIntervalMs: 10,
      retryBaseMs: 1,
      breakerThreshold: 2,
      breakerCooldownMs: 30,
      spoolPath: join(dir, 'spool.jsonl'),
    });
    for (let i = 0; i < 500; i++) w.record(span(i));
    expect(w.stats()).toMatchObject({ queued: 50, spooled: 450, spoolPending: 450, dropped: 0 });
    expect(statSync(join(dir, 'spool.jsonl')).size).toBeGreaterThan(0);
    store.down = false;
    for (let i = 500; i < 520; i++) w.record(span(i)); // arrive while the spool is still pending
    await w.close();
    expect(store.inserted).toEqual(Array.from({ length: 520 }, (_, i) => span(i).spanId));
    expect(w.stats()).toMatchObject({ written: 520, dropped: 0, spoolPending: 0, queued: 0 });
    expect(readFileSync(join(dir, 'spool.jsonl'), 'utf8')).toBe(''); // truncated after replay
  });

  it('drops and counts only when the spool budget is exhausted too', async () => {
    const dir = tmp();
    const store = flakyStore();
    store.down = true;
    const w = createSpanWriter(store, {
      batchSize: 10,
      maxQueue: 10,
      spoolPath: join(dir, 'spool.jsonl'),
      spoolMaxBytes: 5_000,
      closeTimeoutMs: 20,
      breakerCooldownMs: 60_000,
    });
    for (let i = 0; i < 100; i++) w.record(span(i));
    const st = w.stats();
    expect(st.queued).toBe(10);
    expect(st.spooled).toBeGreaterThan(0);
    expect(st.spooled + st.dropped + st.queued).toBe(100);
    expect(st.dropped).toBeGreaterThan(0);
    expect(statSync(join(dir, 'spool.jsonl')).size).toBeLessThanOrEqual(5_000);
    await w.close();
  });

  it('keeps unwritten spans in the spool at shutdown and replays them on the next start', async () => {
    const dir = tmp();
    const spoolPath = join(dir, 'spool.jsonl');
    const store = flakyStore();
    store.down = true;
    const w1 = createSpanWriter(store, { spoolPath, closeTimeoutMs: 30, retryBaseMs: 1 });
    for (let i = 0; i < 30; i++) w1.record(span(i));
    await w1.close();
    expect(w1.stats()).toMatchObject({ written: 0, dropped: 0, spoolPending: 30 });
    store.down = false;
    const w2 = createSpanWriter(store, { spoolPath });
    w2.record(span(30));
    await w2.close();
    expect(store.inserted).toEqual(Array.from({ length: 31 }, (_, i) => span(i).spanId));
  });

  it('drops only the span a healthy store keeps rejecting, and writes the rest of its batch', async () => {
    const inner = createMemoryStore();
    const picky: TraceStore = {
      ...inner,
      async insertSpans(batch) {
        if (batch.some((s) => s.spanId === span(7).spanId)) throw new Error('value out of range');
        await inner.insertSpans(batch);
      },
    };
    const w = createSpanWriter(picky, {
      batchSize: 10,
      retryBaseMs: 1,
      maxRetries: 2,
      breakerThreshold: 100,
    });
    for (let i = 0; i < 25; i++) w.record(span(i));
    await w.close();
    expect(w.stats()).toMatchObject({ written: 24, dropped: 1, queued: 0 });
    const ids = (await inner.querySpans({ tenantId: 'tenant', limit: 100 })).spans.map((s) => s.spanId);
    expect(ids).toHaveLength(24);
    expect(ids).not.toContain(span(7).spanId);
  });

  it('counts the spans a store skipped as already stored: a retried batch whose first try committed, and re-sent ids', async () => {
    const inner = createMemoryStore();
    let loseAnswer = true;
    const store: TraceStore = {
      ...inner,
      async insertSpans(batch) {
        const stored = await inner.insertSpans(batch);
        if (loseAnswer) {
          // Committed, but the answer never arrives: the writer retries the same batch.
          loseAnswer = false;
          throw new Error('connection reset');
        }
        return stored;
      },
    };
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (msg: string) => warnings.push(msg) };
    const w = createSpanWriter(store, { batchSize: 10, flushIntervalMs: 10_000, retryBaseMs: 1, logger });
    for (let i = 0; i < 10; i++) w.record(span(i));
    await w.flush();
    expect(w.stats()).toMatchObject({ written: 0, skipped: 10, retries: 1, queued: 0 });
    for (let i = 5; i < 15; i++) w.record(span(i));
    await w.close();
    expect(w.stats()).toMatchObject({ written: 5, skipped: 15, dropped: 0, queued: 0 });
    expect((await inner.querySpans({ tenantId: 'tenant', limit: 100 })).spans).toHaveLength(15);
    expect(warnings).toContain('span writer: spans with an id already stored were skipped');
  });

  it('counts every span as written with a store that does not say how many it stored', async () => {
    const inner = createMemoryStore();
    const quiet: TraceStore = {
      ...inner,
      async insertSpans(batch) {
        await inner.insertSpans(batch);
      },
    };
    const w = createSpanWriter(quiet, { batchSize: 10, flushIntervalMs: 10_000 });
    for (let i = 0; i < 10; i++) w.record(span(i % 5));
    await w.close();
    expect(w.stats()).toMatchObject({ written: 10, skipped: 0, dropped: 0 });
  });

  it('treats a store that rejects every span as an outage, not bad data: nothing is dropped', async () => {
    const dir = tmp();
    const inner = createMemoryStore();
    const broken: TraceStore = {
      ...inner,
      insertSpans: async () => {
        throw new Error('no such table: spans');
      },
    };
    const w = createSpanWriter(broken, {
      batchSize: 5,
      retryBaseMs: 1,
      maxRetries: 1,
      closeTimeoutMs: 100,
      spoolPath: join(dir, 'spool.jsonl'),
    });
    for (let i = 0; i < 10; i++) w.record(span(i));
    await w.close();
    expect(w.stats()).toMatchObject({ written: 0, dropped: 0, spoolPending: 10 });
  });

  it('counts spans recorded after close as dropped', async () => {
    const w = createSpanWriter(createMemoryStore());
    await w.close();
    w.record(span(1));
    expect(w.stats().dropped).toBe(1);
  });
});
