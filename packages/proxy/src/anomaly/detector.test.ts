import type { Span } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../../test/fixtures/seeded.mjs';
import { createAnomalyDetector } from './detector.js';
import type { AnomalyEvent } from './types.js';

const T0 = Date.UTC(2026, 0, 1);

function span(i: number, over: Partial<Span> = {}): Span {
  const startTime = over.startTime ?? T0 + i * 3000;
  const durationMs = over.durationMs ?? 400;
  return {
    traceId: `trace-${i}`,
    spanId: `span-${i}`,
    tenantId: 'acme',
    agentId: 'support-bot',
    operation: 'chat',
    provider: 'openai',
    model: 'gpt-4o-mini',
    startTime,
    endTime: startTime + durationMs,
    durationMs,
    stream: false,
    statusCode: 200,
    status: 'ok',
    promptTokens: 600,
    completionTokens: 200,
    totalTokens: 800,
    usageSource: 'upstream',
    costUsd: 0.0012,
    securityScore: 0,
    findings: [],
    prompt: [],
    response: '',
    toolCalls: [],
    tags: {},
    ...over,
  };
}

/** Realistic stationary traffic: log-normal latency, noisy tokens and cost, 3 % errors, Poisson arrivals (~20/min). */
function stationary(rand: () => number) {
  let t = T0;
  return (i: number, over: Partial<Span> = {}): Span => {
    t += -Math.log(Math.max(rand(), 1e-12)) * 3000;
    const tokens = Math.max(50, Math.round(800 + 150 * gaussian(rand)));
    const error = rand() < 0.03;
    return span(i, {
      startTime: Math.round(t),
      durationMs: Math.round(400 * Math.exp(0.35 * gaussian(rand))),
      totalTokens: tokens,
      costUsd: tokens * 1.5e-6 * Math.exp(0.1 * gaussian(rand)),
      ...(error ? { statusCode: 502, status: 'error' as const } : {}),
      ...over,
    });
  };
}

describe('createAnomalyDetector', () => {
  it('raises nothing on long runs of stationary noise', () => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      const detector = createAnomalyDetector();
      const next = stationary(mulberry32(seed));
      const found: AnomalyEvent[] = [];
      for (let i = 0; i < 5000; i++) found.push(...detector.observe(next(i)));
      expect(found.map((a) => `${seed}:${a.title}`)).toEqual([]);
    }
  });

  it.each([
    { factor: 6, within: 5 },
    { factor: 3, within: 8 },
  ])(
    'flags a x$factor latency step within $within points, using the measured duration',
    ({ factor, within }) => {
      const detector = createAnomalyDetector();
      const next = stationary(mulberry32(7));
      for (let i = 0; i < 300; i++) expect(detector.observe(next(i))).toEqual([]);
      const flagged: Array<{ at: number; a: AnomalyEvent; durationMs: number }> = [];
      for (let i = 300; i < 340; i++) {
        const s = next(i, { statusCode: 200, status: 'ok', durationMs: 400 * factor + (i % 3) * 37 });
        for (const a of detector.observe(s)) flagged.push({ at: i, a, durationMs: s.durationMs });
      }
      // One event for the whole step (edge-triggered), not one per slow call.
      expect(flagged.length).toBe(1);
      const [first] = flagged;
      expect(first?.at).toBeLessThan(300 + within);
      expect(first?.a.type).toBe('anomaly.latency');
      expect(first?.a.value).toBe(first?.durationMs);
      expect(first?.a.baseline).toBeGreaterThan(300);
      expect(first?.a.baseline).toBeLessThan(550);
      expect(first?.a.tenantId).toBe('acme');
    },
  );

  it('does not read latency from anything but durationMs', () => {
    const detector = createAnomalyDetector({ metrics: ['latency'] });
    const next = stationary(mulberry32(8));
    for (let i = 0; i < 200; i++) detector.observe(next(i, { statusCode: 200, status: 'ok' }));
    // Long wall-clock gap and many tokens, but the call itself was fast: not a latency anomaly.
    const quiet = detector.observe(
      next(200, { startTime: T0 + 10 * 86_400_000, durationMs: 380, totalTokens: 9000 }),
    );
    expect(quiet).toEqual([]);
    const slow = detector.observe(next(201, { durationMs: 5000 }));
    expect(slow.map((a) => [a.metric, a.value])).toEqual([['latency', 5000]]);
  });

  it('flags a single cost spike once and re-arms for the next one', () => {
    const detector = createAnomalyDetector({ metrics: ['cost_per_request'] });
    const next = stationary(mulberry32(9));
    const hits: number[] = [];
    for (let i = 0; i < 600; i++) {
      const spike = i === 250 || i === 400;
      const s = next(i, { statusCode: 200, status: 'ok', ...(spike ? { costUsd: 0.05 } : {}) });
      for (const a of detector.observe(s)) {
        expect(a.type).toBe('anomaly.cost_per_request');
        expect(a.value).toBe(0.05);
        hits.push(i);
      }
    }
    expect(hits).toEqual([250, 400]);
  });

  it('waits for minSamples before flagging anything', () => {
    const detector = createAnomalyDetector({ metrics: ['tokens_per_request'], minSamples: 50 });
    const next = stationary(mulberry32(10));
    for (let i = 0; i < 20; i++) detector.observe(next(i));
    expect(detector.observe(next(20, { totalTokens: 50_000, status: 'ok', statusCode: 200 }))).toEqual([]);
  });

  it('flags an upstream error-rate step within a few requests', () => {
    const detector = createAnomalyDetector({ metrics: ['error_rate'] });
    const next = stationary(mulberry32(11));
    for (let i = 0; i < 400; i++) expect(detector.observe(next(i))).toEqual([]);
    let at = -1;
    for (let i = 400; i < 420 && at < 0; i++) {
      const found = detector.observe(next(i, { statusCode: 503, status: 'error' }));
      if (found.length > 0) {
        at = i;
        expect(found[0]?.type).toBe('anomaly.error_rate');
        expect(found[0]?.baseline).toBeLessThan(0.1);
      }
    }
    expect(at).toBeGreaterThanOrEqual(400);
    expect(at).toBeLessThan(406);
  });

  it('flags a request-velocity burst inside the burst minute, timed by span start', () => {
    const detector = createAnomalyDetector({ metrics: ['request_velocity'] });
    const rand = mulberry32(12);
    let i = 0;
    // 40 minutes of about 20 requests a minute.
    for (let minute = 0; minute < 40; minute++) {
      const n = 15 + Math.floor(rand() * 11);
      for (let k = 0; k < n; k++) {
        const s = span(i++, { startTime: T0 + minute * 60_000 + Math.floor((k / n) * 60_000) });
        expect(detector.observe(s)).toEqual([]);
      }
    }
    // A runaway agent: 400 requests in minute 40.
    const flaggedAt: number[] = [];
    for (let k = 0; k < 400; k++) {
      const found = detector.observe(span(i++, { startTime: T0 + 40 * 60_000 + k * 100 }));
      for (const a of found) {
        expect(a.type).toBe('anomaly.request_velocity');
        expect(a.time).toBe(T0 + 40 * 60_000 + k * 100);
        flaggedAt.push(k);
      }
    }
    expect(flaggedAt.length).toBe(1);
    expect(flaggedAt[0]).toBeLessThan(60);
  });

  it('keeps per-agent baselines: normal for one agent can be an anomaly for another', () => {
    const detector = createAnomalyDetector({ metrics: ['tokens_per_request'] });
    const rand = mulberry32(13);
    for (let i = 0; i < 400; i++) {
      const heavy = i % 2 === 0;
      const tokens = Math.round((heavy ? 6000 : 300) * Math.exp(0.1 * gaussian(rand)));
      expect(
        detector.observe(span(i, { agentId: heavy ? 'researcher' : 'classifier', totalTokens: tokens })),
      ).toEqual([]);
    }
    const found = detector.observe(span(400, { agentId: 'classifier', totalTokens: 6000 }));
    expect(found.map((a) => [a.scope, a.agentId, a.dedupKey])).toEqual([
      ['agent', 'classifier', 'anomaly.tokens_per_request:acme:classifier'],
    ]);
  });

  it('ignores drops and disabled metrics', () => {
    const detector = createAnomalyDetector({ metrics: ['cost_per_request'] });
    const next = stationary(mulberry32(14));
    for (let i = 0; i < 200; i++) detector.observe(next(i, { status: 'ok', statusCode: 200 }));
    expect(detector.observe(next(200, { costUsd: 1e-7, durationMs: 60_000 }))).toEqual([]);
  });

  it('produces events the alert manager accepts as they are', () => {
    const detector = createAnomalyDetector({ metrics: ['latency'], minSamples: 10 });
    for (let i = 0; i < 50; i++) detector.observe(span(i, { durationMs: 400 + (i % 5) * 10 }));
    const [a] = detector.observe(span(50, { durationMs: 8000 }));
    expect(a).toMatchObject({
      type: 'anomaly.latency',
      severity: 'high',
      tenantId: 'acme',
      agentId: 'support-bot',
      traceId: 'trace-50',
      model: 'gpt-4o-mini',
      details: { metric: 'latency', value: 8000 },
    });
    expect(a?.title).toContain('8000 ms');
  });
});
