import type { Span } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { type AnomalyOptions, createAnomalyDetector } from '../src/anomaly/index.js';
import { createReferenceAnomalyDetector } from './fixtures/anomaly-reference.js';
import { gaussian, mulberry32 } from './fixtures/seeded.mjs';

const T0 = Date.UTC(2026, 0, 1);
const TENANTS = ['acme', 'globex', 'initech'];
const AGENTS = [undefined, 'support-bot', 'researcher', 'classifier'];

/**
 * Noisy traffic for several tenants and agents, with regime changes that make every metric flag
 * now and then: latency and token steps, cost spikes, error bursts, request bursts, plus the span
 * kinds that skip a metric (blocked, cancelled, 4xx, no usage, no cost).
 */
function traffic(seed: number, count: number): Span[] {
  const rand = mulberry32(seed);
  const spans: Span[] = [];
  let t = T0;
  let latencyFactor = 1;
  let tokenFactor = 1;
  let errorRate = 0.03;
  let burstLeft = 0;
  for (let i = 0; i < count; i++) {
    // Regimes start and end at random: most of the time the traffic is stationary.
    if (rand() < 0.002) latencyFactor = latencyFactor === 1 ? 2 + rand() * 6 : 1;
    if (rand() < 0.002) tokenFactor = tokenFactor === 1 ? 2 + rand() * 4 : 1;
    if (rand() < 0.002) errorRate = errorRate < 0.1 ? 0.5 + rand() * 0.5 : 0.03;
    if (burstLeft === 0 && rand() < 0.0005) burstLeft = 200 + Math.floor(rand() * 400);
    t += burstLeft > 0 ? 50 : -Math.log(Math.max(rand(), 1e-12)) * 3000;
    if (burstLeft > 0) burstLeft--;
    const tokens = Math.max(20, Math.round(tokenFactor * 800 * Math.exp(0.2 * gaussian(rand))));
    const durationMs = Math.round(latencyFactor * 400 * Math.exp(0.35 * gaussian(rand)));
    const kind = rand();
    const error = rand() < errorRate;
    const startTime = Math.round(t - rand() * 2000); // some spans arrive late
    spans.push({
      traceId: `trace-${i}`,
      spanId: `span-${i}`,
      tenantId: TENANTS[Math.floor(rand() * TENANTS.length)]!,
      agentId: AGENTS[Math.floor(rand() * AGENTS.length)],
      operation: 'chat',
      provider: 'openai',
      model: rand() < 0.1 ? undefined : 'gpt-4o-mini',
      startTime,
      endTime: startTime + durationMs,
      durationMs,
      stream: false,
      statusCode: error ? 502 : kind < 0.01 ? 429 : 200,
      status: error ? 'error' : kind < 0.02 ? 'blocked' : kind < 0.03 ? 'cancelled' : 'ok',
      promptTokens: Math.round(tokens * 0.75),
      completionTokens: tokens - Math.round(tokens * 0.75),
      totalTokens: tokens,
      usageSource: kind > 0.98 ? 'none' : 'upstream',
      costUsd:
        kind > 0.97
          ? undefined
          : tokens * 1.5e-6 * Math.exp(0.1 * gaussian(rand)) * (rand() < 0.003 ? 40 : 1),
      securityScore: 0,
      findings: [],
      prompt: [],
      response: '',
      toolCalls: [],
      tags: {},
    } as Span);
  }
  return spans;
}

describe('anomaly detector against the previous implementation', () => {
  it.each<{ name: string; options: AnomalyOptions; minEvents: number }>([
    { name: 'defaults', options: {}, minEvents: 10 },
    { name: 'sensitive', options: { sensitivity: 3, minSamples: 10, velocityMinBuckets: 3 }, minEvents: 10 },
    {
      name: 'few series (eviction)',
      options: { sensitivity: 3, minSamples: 10, maxSeries: 5 },
      minEvents: 3,
    },
    // Every span evicts the series before it: nothing warms up, but the churn must match.
    { name: 'one series', options: { maxSeries: 1 }, minEvents: 0 },
    { name: 'tenant only', options: { sensitivity: 3, perAgent: false }, minEvents: 10 },
    {
      name: 'some metrics',
      options: { metrics: ['latency', 'request_velocity'], velocityBucketMs: 10_000 },
      minEvents: 10,
    },
  ])('raises the same events, span by span: $name', ({ options, minEvents }) => {
    const current = createAnomalyDetector(options);
    const reference = createReferenceAnomalyDetector(options);
    let events = 0;
    for (const span of traffic(2026, 20_000)) {
      const got = current.observe(span);
      expect(got).toEqual(reference.observe(span));
      expect(current.seriesCount()).toBe(reference.seriesCount());
      events += got.length;
    }
    // The comparison means something only if the series did flag.
    expect(events).toBeGreaterThanOrEqual(minEvents);
  });

  it('raises the same events for every kind of anomaly over several seeds', () => {
    const kinds = new Set<string>();
    for (const seed of [1, 7, 42]) {
      const current = createAnomalyDetector({ sensitivity: 4, minSamples: 20 });
      const reference = createReferenceAnomalyDetector({ sensitivity: 4, minSamples: 20 });
      for (const span of traffic(seed, 15_000)) {
        const got = current.observe(span);
        expect(got).toEqual(reference.observe(span));
        for (const e of got) kinds.add(e.type);
      }
    }
    expect([...kinds].sort()).toEqual([
      'anomaly.cost_per_request',
      'anomaly.error_rate',
      'anomaly.latency',
      'anomaly.request_velocity',
      'anomaly.tokens_per_request',
    ]);
  });
});
