import type { Span } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { createTracer } from '../tracer.js';
import { createBatchExporter } from './batch-queue.js';

function spans(n: number): Span[] {
  const tracer = createTracer();
  return Array.from({ length: n }, (_, i) => tracer.startSpan('chat', 'openai', `m${i}`).toJSON());
}

describe('createBatchExporter', () => {
  it('returns at once and sends full batches, then the rest on flush', async () => {
    const batches: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const exporter = createBatchExporter(
      async (batch) => {
        await gate;
        batches.push(batch.length);
      },
      { name: 'test', batchSize: 2, flushIntervalMs: 60_000, flushOnExit: false },
    );
    for (const s of spans(5)) exporter.export(s);
    // Nothing was awaited: the sender is still blocked, the caller was not.
    expect(batches).toEqual([]);
    release();
    await exporter.flush();
    expect(batches).toEqual([2, 2, 1]);
    expect(exporter.stats()).toEqual({ exported: 5, dropped: 0, failed: 0, queued: 0 });
  });

  it('sends a partial batch after the flush interval', async () => {
    const sent: Span[] = [];
    const exporter = createBatchExporter(async (b) => void sent.push(...b), {
      name: 'test',
      batchSize: 100,
      flushIntervalMs: 20,
      flushOnExit: false,
    });
    exporter.export(spans(1)[0]!);
    expect(sent).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(sent).toHaveLength(1);
  });

  it('retries failed batches with backoff and delivers once the receiver recovers', async () => {
    let calls = 0;
    const exporter = createBatchExporter(
      async () => {
        calls++;
        if (calls < 3) throw new Error('connection refused');
      },
      { name: 'test', retryBaseMs: 1, flushOnExit: false },
    );
    exporter.export(spans(1)[0]!);
    await exporter.flush();
    expect(calls).toBe(3);
    expect(exporter.stats()).toMatchObject({ exported: 1, failed: 0 });
  });

  it('gives up after maxRetries, or at once on a non-retryable error, without throwing', async () => {
    let calls = 0;
    const exporter = createBatchExporter(
      async () => {
        calls++;
        throw new Error(calls > 3 ? 'fatal' : 'down');
      },
      {
        name: 'test',
        retryBaseMs: 1,
        maxRetries: 2,
        flushOnExit: false,
        isRetryable: (e) => String(e).includes('down'),
      },
    );
    exporter.export(spans(1)[0]!);
    await exporter.flush();
    expect(calls).toBe(3);
    exporter.export(spans(1)[0]!);
    await exporter.flush();
    expect(calls).toBe(4);
    expect(exporter.stats()).toMatchObject({ exported: 0, failed: 2 });
  });

  it('bounds the queue and counts what it drops', async () => {
    const exporter = createBatchExporter(async () => {}, {
      name: 'test',
      maxQueueSize: 3,
      batchSize: 100,
      flushIntervalMs: 60_000,
      flushOnExit: false,
    });
    for (const s of spans(5)) exporter.export(s);
    expect(exporter.stats()).toMatchObject({ queued: 3, dropped: 2 });
    await exporter.shutdown();
    exporter.export(spans(1)[0]!);
    expect(exporter.stats()).toMatchObject({ exported: 3, dropped: 3, queued: 0 });
  });
});
