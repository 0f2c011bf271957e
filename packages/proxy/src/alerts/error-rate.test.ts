import type { Span } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { createErrorRateMonitor } from './error-rate.js';
import type { AlertEventInput } from './types.js';

function span(endTime: number, statusCode: number, tenantId = 'acme'): Span {
  return {
    traceId: `t${endTime}`,
    spanId: `s${endTime}`,
    tenantId,
    operation: 'chat',
    provider: 'openai',
    model: 'gpt-4o-mini',
    startTime: endTime - 100,
    endTime,
    durationMs: 100,
    stream: false,
    statusCode,
    status: statusCode >= 400 ? 'error' : 'ok',
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    usageSource: 'none',
    securityScore: 0,
    findings: [],
    prompt: [],
    response: '',
    toolCalls: [],
    tags: {},
  };
}

describe('createErrorRateMonitor', () => {
  it('fires once when the upstream error rate crosses the threshold, and resolves when it clears', () => {
    const m = createErrorRateMonitor({ windowMs: 60_000, errorRate: { threshold: 0.5, minRequests: 20 } });
    const out: AlertEventInput[] = [];
    let t = 0;
    for (let i = 0; i < 40; i++) {
      t += 500;
      out.push(...m.observe(span(t, 200)));
    }
    expect(out).toEqual([]);
    // Outage: every call fails for 30 s.
    for (let i = 0; i < 60; i++) {
      t += 500;
      out.push(...m.observe(span(t, 502)));
    }
    expect(out.map((e) => [e.type, e.resolved ?? false])).toEqual([['upstream.error_rate', false]]);
    expect(out[0]?.details).toMatchObject({ requests: expect.any(Number), errors: expect.any(Number) });
    expect(Number(out[0]?.details.errorRate)).toBeGreaterThanOrEqual(0.5);
    // Recovery: the window fills with successes.
    for (let i = 0; i < 200; i++) {
      t += 500;
      out.push(...m.observe(span(t, 200)));
    }
    expect(out.map((e) => [e.type, e.resolved ?? false])).toEqual([
      ['upstream.error_rate', false],
      ['upstream.error_rate', true],
    ]);
  });

  it('repeats at most once per window while the condition lasts', () => {
    const m = createErrorRateMonitor({
      windowMs: 10_000,
      errorRate: { threshold: 0.5, minRequests: 5 },
      rateLimitStorm: false,
    });
    const fired: number[] = [];
    for (let t = 0; t < 35_000; t += 100) if (m.observe(span(t, 503)).length > 0) fired.push(t);
    expect(fired.length).toBeGreaterThanOrEqual(3);
    expect(fired.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < fired.length; i++)
      expect((fired[i] as number) - (fired[i - 1] as number)).toBeGreaterThanOrEqual(10_000);
  });

  it('needs minRequests before judging a rate', () => {
    const m = createErrorRateMonitor({ errorRate: { minRequests: 20 } });
    const out = [0, 1, 2, 3, 4].flatMap((i) => m.observe(span(i * 10, 500)));
    expect(out).toEqual([]);
  });

  it('detects a rate-limit storm per tenant and resolves it on tick once traffic stops', () => {
    const m = createErrorRateMonitor({
      windowMs: 60_000,
      errorRate: false,
      rateLimitStorm: { threshold: 30 },
    });
    const out: AlertEventInput[] = [];
    for (let i = 0; i < 100; i++) out.push(...m.observe(span(i * 100, 429, 'acme')));
    for (let i = 0; i < 100; i++) out.push(...m.observe(span(i * 100, 200, 'globex')));
    expect(out.map((e) => [e.type, e.tenantId, e.resolved ?? false])).toEqual([
      ['rate_limit.storm', 'acme', false],
    ]);
    expect(m.tick(10_000)).toEqual([]);
    expect(m.tick(200_000).map((e) => [e.type, e.tenantId, e.resolved])).toEqual([
      ['rate_limit.storm', 'acme', true],
    ]);
  });
});
