import type { Finding, Span } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { findingAlerts, findingCategory } from './findings.js';

function span(findings: Finding[], over: Partial<Span> = {}): Span {
  return {
    traceId: 'trace-1',
    spanId: 'span-1',
    tenantId: 'acme',
    operation: 'chat',
    provider: 'openai',
    model: 'gpt-4o-mini',
    startTime: 1000,
    endTime: 1400,
    durationMs: 400,
    stream: false,
    statusCode: 200,
    status: 'ok',
    promptTokens: 10,
    completionTokens: 5,
    totalTokens: 15,
    usageSource: 'upstream',
    securityScore: 90,
    findings,
    prompt: [{ role: 'user', content: 'SECRET PROMPT TEXT' }],
    response: 'SECRET RESPONSE TEXT',
    toolCalls: [],
    tags: {},
    ...over,
  };
}

const f = (
  type: string,
  severity: Finding['severity'],
  confidence = 0.9,
  side: 'request' | 'response' = 'request',
): Finding => ({
  type,
  severity,
  confidence,
  detector: `${type}-detector`,
  location: { side, start: 0, end: 4 },
  excerpt: '[…]ignore previous[…]',
  message: `${type} found`,
});

describe('findingAlerts', () => {
  it('raises one event per finding category, named after its worst finding', () => {
    const events = findingAlerts(
      span([
        f('system_prompt_override', 'high', 0.9),
        f('prompt_injection', 'high', 0.7),
        f('prompt_injection', 'critical', 0.95),
        f('jailbreak', 'medium'),
        f('pii.email', 'medium'),
        f('secret.aws_access_key', 'critical', 1, 'response'),
      ]),
      'high',
    );
    expect(
      events.map((e) => [e.details.category, e.details.findingType, e.severity, e.details.count]),
    ).toEqual([
      ['injection', 'prompt_injection', 'critical', 3],
      ['secret', 'secret.aws_access_key', 'critical', 1],
    ]);
    expect(events[0]).toMatchObject({
      type: 'security.finding',
      tenantId: 'acme',
      traceId: 'trace-1',
      model: 'gpt-4o-mini',
      time: 1400,
      dedupKey: 'security.finding:acme:injection',
      title: 'prompt_injection detected in request (with system_prompt_override)',
      details: {
        findingTypes: ['prompt_injection', 'system_prompt_override'],
        confidence: 0.95,
        sides: ['request'],
        spanId: 'span-1',
        securityScore: 90,
      },
    });
    expect(events[1]?.dedupKey).toBe('security.finding:acme:secret');
  });

  it('maps finding types to categories', () => {
    expect(findingCategory('jailbreak')).toBe('injection');
    expect(findingCategory('encoding_attack')).toBe('injection');
    expect(findingCategory('pii.credit_card')).toBe('pii');
    expect(findingCategory('leak.system_prompt')).toBe('leak');
    expect(findingCategory('prompt_extraction')).toBe('injection');
    expect(findingCategory('custom.project_codename')).toBe('custom');
  });

  it('never copies prompt or response text into the event', () => {
    const events = findingAlerts(span([f('jailbreak', 'high')]));
    const json = JSON.stringify(events);
    expect(json).not.toContain('SECRET PROMPT TEXT');
    expect(json).not.toContain('SECRET RESPONSE TEXT');
  });

  it('says when the request was blocked and ignores findings under the severity', () => {
    expect(findingAlerts(span([f('pii.email', 'medium')]))).toEqual([]);
    expect(findingAlerts(span([f('pii.email', 'medium')]), 'medium')).toHaveLength(1);
    const [blocked] = findingAlerts(
      span([f('prompt_injection', 'high')], { status: 'blocked', statusCode: 403 }),
    );
    expect(blocked?.title).toBe('prompt_injection detected in request (blocked)');
  });
});
