import type { Logger } from '@llmtrace/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { SpanScanner } from '../src/index.js';
import { startMockUpstream, startProxy, type TestProxy } from './helpers.js';

// Runs the built gateway inside the worker (the fixture imports dist/): `npm test` builds first.
const script = new URL('./fixtures/analysis-worker.mjs', import.meta.url);

/** The main thread's scanner marks prompts differently from the worker's. */
const mainScanner: SpanScanner = {
  scanMessages: () => ({
    findings: [{ type: 'test.main', severity: 'info', confidence: 1, detector: 'test', message: 'main' }],
    score: 1,
  }),
  scanResponse: () => ({ findings: [], score: 0 }),
};

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (msg) => errors.push(msg) };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function proxyWith(
  workerData: unknown,
  logger: Logger,
  limits: { largerThan?: number; maxPendingBytes?: number } = {},
): Promise<TestProxy> {
  const up = await startMockUpstream();
  const proxy = await startProxy({
    upstreamUrl: up.url,
    scanner: mainScanner,
    analysisWorker: { script, workerData, ...limits },
    logger,
  });
  cleanups.push(
    () => up.close(),
    () => proxy.close(),
  );
  return proxy;
}

async function chat(proxy: TestProxy, n: number, stream = false, padding = ''): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          stream,
          messages: [{ role: 'user', content: `hi ${i}${padding}` }],
        }),
      });
      expect(res.status).toBe(200);
      await res.text();
    }),
  );
}

const types = (proxy: TestProxy) => proxy.spans.map((s) => s.findings.map((f) => f.type).join(','));

describe('span analysis on a worker thread', () => {
  it('builds every span on the worker: estimates, scan, all fields', async () => {
    const proxy = await proxyWith({}, recordingLogger());
    await chat(proxy, 5);
    await chat(proxy, 3, true);
    await proxy.waitForSpans(8);
    expect(types(proxy)).toEqual(Array(8).fill('test.worker'));
    const streamed = proxy.spans.filter((s) => s.stream);
    expect(streamed).toHaveLength(3);
    for (const s of proxy.spans) {
      expect(s.model).toBe('gpt-4o-mini');
      expect(s.completionTokens).toBeGreaterThan(0);
      expect(s.prompt[0]?.content).toMatch(/^hi \d$/);
    }
  });

  it('with largerThan, builds only the large calls there, starting the worker at the first', async () => {
    // A worker that cannot start says so when it is started: small calls alone never start it.
    const lazy = recordingLogger();
    const small = await proxyWith({ crash: 'at-start' }, lazy, { largerThan: 2000 });
    await chat(small, 4);
    await chat(small, 2, true);
    await small.waitForSpans(6);
    await small.gateway.drain();
    expect(types(small)).toEqual(Array(6).fill('test.main'));
    expect(lazy.errors).toEqual([]);

    const proxy = await proxyWith({}, recordingLogger(), { largerThan: 2000 });
    const large = ` ${'a long retrieved document '.repeat(100)}`;
    await chat(proxy, 3);
    await chat(proxy, 2, false, large);
    await chat(proxy, 2, true, large);
    await chat(proxy, 2, true);
    await proxy.gateway.drain();
    const byThread = (s: TestProxy['spans'][number]) =>
      `${(s.prompt[0]?.content.length ?? 0) > 2000 ? 'large' : 'small'} ${s.stream ? 'stream' : 'json'} ${s.findings[0]?.type}`;
    expect(proxy.spans.map(byThread).sort()).toEqual([
      'large json test.worker',
      'large json test.worker',
      'large stream test.worker',
      'large stream test.worker',
      'small json test.main',
      'small json test.main',
      'small json test.main',
      'small stream test.main',
      'small stream test.main',
    ]);
  });

  it("builds calls on the main thread while the worker's backlog holds maxPendingBytes of text", async () => {
    // Each span takes the worker 400 ms; the backlog may hold one call's text.
    const proxy = await proxyWith({ slowMs: 400 }, recordingLogger(), { maxPendingBytes: 1 });
    await chat(proxy, 1);
    await chat(proxy, 4);
    await proxy.gateway.drain();
    // The first call went to the worker; the next four finished while it was still building it.
    expect(types(proxy).sort()).toEqual(['test.main', 'test.main', 'test.main', 'test.main', 'test.worker']);
  });

  it('drain waits for spans still being built on the worker', async () => {
    const proxy = await proxyWith({}, recordingLogger());
    await chat(proxy, 20);
    await proxy.gateway.drain();
    expect(proxy.spans).toHaveLength(20);
  });

  it('falls back to the main thread when the worker dies, losing no span', async () => {
    const logger = recordingLogger();
    const proxy = await proxyWith({ crash: 'on-message' }, logger);
    await chat(proxy, 10);
    await proxy.waitForSpans(10);
    expect(types(proxy)).toEqual(Array(10).fill('test.main'));
    expect(logger.errors).toContain('span analysis worker stopped; analysing on the main thread');
  });

  it('falls back when the worker cannot even start', async () => {
    const logger = recordingLogger();
    const proxy = await proxyWith({ crash: 'at-start' }, logger);
    await chat(proxy, 4);
    await proxy.waitForSpans(4);
    expect(types(proxy)).toEqual(Array(4).fill('test.main'));
    expect(logger.errors.length).toBeGreaterThan(0);
  });
});
