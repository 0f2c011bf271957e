import { getHeapStatistics } from 'node:v8';
import type { Span } from '@llmtrace/core';
import { collectDefaultMetrics, Registry, register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createHealthRoutes, createMetrics } from '../src/metrics/index.js';

function span(over: Partial<Span> = {}): Span {
  return {
    traceId: 't1',
    spanId: 's1',
    tenantId: 'acme',
    operation: 'chat',
    provider: 'openai',
    model: 'gpt-4o-mini',
    path: '/v1/chat/completions',
    startTime: 0,
    endTime: 300,
    durationMs: 300,
    ttftMs: 45,
    stream: true,
    statusCode: 200,
    status: 'ok',
    promptTokens: 100,
    completionTokens: 20,
    totalTokens: 120,
    usageSource: 'upstream',
    costUsd: 0.25,
    securityScore: 0,
    findings: [],
    prompt: [],
    response: '',
    toolCalls: [],
    tags: {},
    ...over,
  };
}

/** Value of one sample line `name{labels} value` in the exposition text. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const got = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[2]);
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  it('counts requests, durations, tokens, cost and TTFT by route, model and status', async () => {
    const m = createMetrics();
    m.observeSpan(span());
    m.observeSpan(
      span({ statusCode: 429, status: 'error', durationMs: 5, ttftMs: undefined, costUsd: undefined }),
    );
    const res = await m.routes().request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const ok = { route: '/v1/chat/completions', model: 'gpt-4o-mini', status: '200' };
    expect(sample(text, 'llmtrace_requests_total', ok)).toBe(1);
    expect(sample(text, 'llmtrace_requests_total', { ...ok, status: '429' })).toBe(1);
    expect(sample(text, 'llmtrace_request_duration_seconds_bucket', { ...ok, le: '0.32' })).toBe(1);
    expect(sample(text, 'llmtrace_request_duration_seconds_bucket', { ...ok, le: '0.16' })).toBe(0);
    expect(sample(text, 'llmtrace_tokens_total', { direction: 'input' })).toBe(200);
    expect(sample(text, 'llmtrace_tokens_total', { direction: 'output' })).toBe(40);
    expect(sample(text, 'llmtrace_cost_usd_total', { model: 'gpt-4o-mini' })).toBe(0.25);
    expect(sample(text, 'llmtrace_time_to_first_token_seconds_count')).toBe(1);
    expect(sample(text, 'llmtrace_time_to_first_token_seconds_bucket', { le: '0.06' })).toBe(1);
    expect(sample(text, 'llmtrace_time_to_first_token_seconds_bucket', { le: '0.04' })).toBe(0);
  });

  it('uses the OpenTelemetry GenAI names and buckets for the GenAI histograms', async () => {
    const m = createMetrics();
    m.observeSpan(span());
    const text = await m.text();
    const g = {
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: 'openai',
      gen_ai_request_model: 'gpt-4o-mini',
    };
    expect(sample(text, 'gen_ai_client_operation_duration_seconds_bucket', { ...g, le: '81.92' })).toBe(1);
    expect(
      sample(text, 'gen_ai_client_token_usage_bucket', { ...g, gen_ai_token_type: 'input', le: '256' }),
    ).toBe(1);
    expect(
      sample(text, 'gen_ai_client_token_usage_bucket', { ...g, gen_ai_token_type: 'input', le: '64' }),
    ).toBe(0);
    expect(
      sample(text, 'gen_ai_client_token_usage_bucket', { ...g, gen_ai_token_type: 'output', le: '64' }),
    ).toBe(1);
  });

  it('counts findings by type, severity and action', async () => {
    const m = createMetrics();
    const f = {
      type: 'pii.email',
      severity: 'medium' as const,
      confidence: 1,
      detector: 'pii',
      message: 'email',
    };
    m.observeSpan(span({ findings: [f, f] }));
    m.observeSpan(
      span({ status: 'blocked', findings: [{ ...f, type: 'prompt_injection', severity: 'high' }] }),
    );
    m.observeFinding({ ...f, type: 'secret.openai_key', severity: 'critical' }, 'blocked');
    const text = await m.text();
    expect(
      sample(text, 'llmtrace_security_findings_total', {
        type: 'pii.email',
        severity: 'medium',
        action: 'flagged',
      }),
    ).toBe(2);
    expect(
      sample(text, 'llmtrace_security_findings_total', { type: 'prompt_injection', action: 'blocked' }),
    ).toBe(1);
    expect(
      sample(text, 'llmtrace_security_findings_total', { type: 'secret.openai_key', action: 'blocked' }),
    ).toBe(1);
  });

  it('reads writer stats and breaker states at scrape time', async () => {
    const m = createMetrics();
    let queued = 3;
    let dropped = 0;
    let skipped = 0;
    m.setWriterStats(() => ({ queued, dropped, skipped, spoolPending: 7, breaker: 'closed' }));
    m.setBreakerStates(() => ({ scanner: 'open' }));
    let text = await m.text();
    expect(sample(text, 'llmtrace_writer_queue_depth')).toBe(3);
    expect(sample(text, 'llmtrace_writer_spool_spans')).toBe(7);
    expect(sample(text, 'llmtrace_spans_dropped_total')).toBe(0);
    expect(sample(text, 'llmtrace_spans_skipped_total')).toBe(0);
    expect(sample(text, 'llmtrace_circuit_breaker_state', { breaker: 'writer' })).toBe(0);
    expect(sample(text, 'llmtrace_circuit_breaker_state', { breaker: 'scanner' })).toBe(2);
    queued = 40;
    dropped = 12;
    skipped = 5;
    text = await m.text();
    expect(sample(text, 'llmtrace_writer_queue_depth')).toBe(40);
    expect(sample(text, 'llmtrace_spans_dropped_total')).toBe(12);
    expect(sample(text, 'llmtrace_spans_skipped_total')).toBe(5);
  });

  it("exposes the process's memory under prom-client's default metric names and labels", async () => {
    const text = await createMetrics().text();
    const reference = new Registry();
    collectDefaultMetrics({ register: reference });
    const theirs = await reference.metrics();
    /** Sample names with their label sets, e.g. `nodejs_heap_space_size_total_bytes{space="new"}`. */
    const series = (t: string, name: string) =>
      t
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
        .map((l) => l.slice(0, l.lastIndexOf(' ')))
        .sort();
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_total_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_external_memory_bytes',
      'nodejs_heap_space_size_total_bytes',
      'nodejs_heap_space_size_used_bytes',
    ]) {
      expect(series(text, name).length, name).toBeGreaterThan(0);
      expect(series(text, name), name).toEqual(series(theirs, name));
    }
    const rss = sample(text, 'process_resident_memory_bytes') ?? 0;
    expect(rss).toBeGreaterThan(process.memoryUsage().heapUsed / 2);
    expect(sample(text, 'nodejs_heap_size_limit_bytes')).toBe(getHeapStatistics().heap_size_limit);
    expect(sample(text, 'nodejs_heap_space_size_total_bytes', { space: 'new' })).toBeGreaterThan(0);
  });

  it("reports the event loop's delay since the last scrape under prom-client's names", async () => {
    const m = createMetrics();
    const reference = new Registry();
    collectDefaultMetrics({ register: reference });
    const theirs = await reference.metrics();
    const stats = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'];
    await m.text(); // starts a new interval
    // The monitor's first tick after a reset only sets its start: let it tick, then hold the loop
    // for 60 ms and let the 10 ms timer record the gap between its runs.
    await new Promise((done) => setTimeout(done, 25));
    const until = performance.now() + 60;
    while (performance.now() < until) {
      // busy
    }
    await new Promise((done) => setTimeout(done, 40));
    let text = await m.text();
    for (const stat of stats) {
      const name = `nodejs_eventloop_lag_${stat}_seconds`;
      expect(theirs, name).toContain(`# TYPE ${name} gauge`);
      expect(text, name).toContain(`# TYPE ${name} gauge`);
      expect(sample(text, name), name).toBeGreaterThanOrEqual(0);
    }
    const held = sample(text, 'nodejs_eventloop_lag_max_seconds') ?? 0;
    expect(held).toBeGreaterThan(0.045);
    expect(held).toBeLessThan(1);
    expect(sample(text, 'nodejs_eventloop_lag_min_seconds')).toBeLessThanOrEqual(held);
    // The scrape reset it: the next interval, with the loop free, has no such delay.
    await new Promise((done) => setTimeout(done, 60));
    text = await m.text();
    expect(sample(text, 'nodejs_eventloop_lag_max_seconds')).toBeLessThan(held);
  });

  it('counts garbage collections by kind, in every registry that reads them', async () => {
    const a = createMetrics();
    const b = createMetrics();
    const minors = (text: string) => sample(text, 'nodejs_gc_duration_seconds_count', { kind: 'minor' }) ?? 0;
    const before = [minors(await a.text()), minors(await b.text())];
    // Young-generation garbage: at most a few MB survive, so minor collections run.
    let keep: number[][] = [];
    for (let i = 0; i < 200_000; i++) {
      keep.push([i, i + 1, i + 2]);
      if (keep.length > 1000) keep = [];
    }
    // GC entries reach observers asynchronously.
    await new Promise((done) => setTimeout(done, 50));
    const [textA, textB] = [await a.text(), await b.text()];
    expect(textA).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    expect(minors(textA)).toBeGreaterThan(before[0] ?? 0);
    expect(minors(textB)).toBeGreaterThan(before[1] ?? 0);
    expect(sample(textA, 'nodejs_gc_duration_seconds_sum', { kind: 'minor' })).toBeGreaterThan(0);
    expect(keep.length).toBeLessThanOrEqual(1001);
  });

  it('counts alert deliveries by outcome', async () => {
    const m = createMetrics();
    m.observeAlertDelivery({ channel: 'webhook', ok: true, event: { type: 'security.finding' } });
    m.observeAlertDelivery({ channel: 'webhook', ok: false, event: { type: 'security.finding' } });
    m.observeAlertDelivery({ channel: 'webhook', ok: false, event: { type: 'security.finding' } });
    const text = await m.text();
    expect(
      sample(text, 'llmtrace_alert_deliveries_total', { channel: 'webhook', outcome: 'delivered' }),
    ).toBe(1);
    expect(sample(text, 'llmtrace_alert_deliveries_total', { channel: 'webhook', outcome: 'failed' })).toBe(
      2,
    );
  });

  it('keeps each instance in its own registry, never the global one', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.observeSpan(span());
    expect(sample(await b.text(), 'llmtrace_requests_total')).toBeUndefined();
    expect(register.getMetricsAsArray()).toEqual([]);
  });
});

describe('health and readiness', () => {
  it('/health is 200; /ready is 503 with each component when one check fails', async () => {
    let storeOk = true;
    const app = createHealthRoutes({
      checks: {
        store: async () => ({ ok: storeOk }),
        redis: async () => {
          if (!storeOk) throw new Error('ECONNREFUSED 127.0.0.1:6379');
          return { ok: true };
        },
        writer: async () => ({ ok: true, detail: 'queue 0' }),
      },
    });
    expect((await app.request('/health')).status).toBe(200);
    const ready = await app.request('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      components: { store: { ok: true }, redis: { ok: true }, writer: { ok: true, detail: 'queue 0' } },
    });
    storeOk = false;
    const notReady = await app.request('/ready');
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as { components: Record<string, { ok: boolean; detail?: string }> };
    expect(body.components.store).toEqual({ ok: false });
    expect(body.components.redis).toEqual({ ok: false, detail: 'check failed' });
    expect(JSON.stringify(body)).not.toContain('6379');
    expect((await app.request('/health')).status).toBe(200);
  });

  it('a hanging check times out as not ready', async () => {
    const app = createHealthRoutes({ timeoutMs: 20, checks: { redis: () => new Promise(() => {}) } });
    const res = await app.request('/ready');
    expect(res.status).toBe(503);
    expect(
      ((await res.json()) as { components: { redis: { detail: string } } }).components.redis.detail,
    ).toContain('timed out');
  });
});
