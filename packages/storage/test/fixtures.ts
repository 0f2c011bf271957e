import type { Finding, Span } from '@llmtrace/core';

/** Base time of fixtures: 2026-03-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 2, 1);

/** A minimal valid span; override what a test cares about. */
export function makeSpan(over: Partial<Span> & Pick<Span, 'spanId'>): Span {
  return {
    traceId: 'trace-default',
    tenantId: 'tenant-a',
    operation: 'chat',
    provider: 'openai',
    model: 'gpt-4o',
    startTime: T0,
    endTime: T0 + 120,
    durationMs: 120,
    stream: false,
    statusCode: 200,
    status: 'ok',
    promptTokens: 10,
    completionTokens: 5,
    totalTokens: 15,
    usageSource: 'upstream',
    securityScore: 0,
    findings: [],
    prompt: [{ role: 'user', content: 'hello' }],
    response: 'hi',
    toolCalls: [],
    tags: {},
    ...over,
  };
}

const finding = (type: string): Finding => ({
  type,
  severity: 'high',
  confidence: 0.9,
  detector: 'test',
  location: { side: 'request', messageIndex: 0, start: 0, end: 4 },
  excerpt: '[redacted]',
  message: `found ${type}`,
});

/**
 * 48 spans of one tenant with varied attributes, pairs sharing a start time (ties), spread over
 * three UTC days. Filters in the contract test compute their expectations from these with plain
 * predicates.
 */
export function dataset(tenantId = 'tenant-a'): Span[] {
  const models = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet'] as const;
  const ops = ['chat', 'embedding', 'completion', 'messages'] as const;
  const out: Span[] = [];
  for (let i = 0; i < 48; i++) {
    const start = T0 + Math.floor(i / 2) * 3 * 3_600_000; // two spans per instant, 24 instants over 3 days
    const findings =
      i % 6 === 0
        ? [finding('pii.email')]
        : i % 6 === 3
          ? [finding('prompt_injection'), finding('pii.email')]
          : [];
    const status = i % 10 === 9 ? 'error' : i % 10 === 8 ? 'blocked' : 'ok';
    const error = i % 10 === 9 ? 'upstream returned 500' : i % 11 === 5 ? 'could not parse usage' : undefined;
    const prompt =
      i % 7 === 0
        ? [
            { role: 'system', content: 'You are helpful.' },
            { role: 'user', content: `the secret word is NEEDLE number ${i}` },
          ]
        : [{ role: 'user', content: `question ${i}` }];
    const response =
      i % 7 === 3 ? `there is a needle here (${i})` : i % 9 === 4 ? `東京 café ✓ ${i}` : `answer ${i}`;
    const s = makeSpan({
      spanId: `span-${String(i).padStart(4, '0')}`,
      traceId: `trace-${Math.floor(i / 6)}`,
      tenantId,
      model: models[i % 3] as string,
      provider: i % 3 === 2 ? 'anthropic' : 'openai',
      operation: ops[i % 4] as Span['operation'],
      sessionId: `session-${i % 4}`,
      startTime: start,
      endTime: start + 100 + i,
      durationMs: 100 + i,
      status,
      statusCode: status === 'error' ? 500 : status === 'blocked' ? 403 : 200,
      promptTokens: 10 + i,
      completionTokens: 2 * i,
      totalTokens: 10 + 3 * i,
      securityScore: (i * 7) % 101,
      findings,
      prompt,
      response,
      tags: { env: i % 2 === 0 ? 'prod' : 'dev' },
    });
    if (i % 5 !== 0) s.agentId = `agent-${i % 2}`;
    if (error !== undefined) s.error = error;
    if (i % 4 !== 1) s.costUsd = Math.round(i * 1000) / 1_000_000;
    out.push(s);
  }
  return out;
}

/** A span with every optional field set, including nested JSON. */
export function fullSpan(): Span {
  return makeSpan({
    spanId: 'span-full',
    traceId: 'trace-full',
    parentSpanId: 'span-parent',
    agentId: 'agent-x',
    sessionId: 'session-x',
    endUser: 'user-42',
    operation: 'messages',
    provider: 'anthropic',
    model: 'claude-3-5-sonnet',
    responseModel: 'claude-3-5-sonnet-20241022',
    method: 'POST',
    path: '/v1/messages',
    startTime: T0 + 5,
    endTime: T0 + 905,
    durationMs: 900,
    ttftMs: 210,
    stream: true,
    statusCode: 200,
    status: 'ok',
    error: 'usage missing from stream',
    promptTokens: 1200,
    completionTokens: 300,
    totalTokens: 1500,
    cachedTokens: 1000,
    reasoningTokens: 50,
    usageSource: 'estimated',
    costUsd: 0.012345,
    securityScore: 87.5,
    findings: [
      {
        type: 'secret.aws_access_key',
        severity: 'critical',
        confidence: 0.99,
        detector: 'secrets',
        location: { side: 'response', start: 3, end: 23 },
        excerpt: 'AKIA…[redacted]',
        message: 'AWS access key in response',
      },
    ],
    prompt: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'call the tool', name: 'alice' },
      { role: 'tool', content: '{"ok":true}', toolCallId: 'call_1' },
    ],
    response: 'done',
    toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }],
    finishReason: 'tool_calls',
    params: { temperature: 0.2, max_tokens: 256, stop: ['\n'] },
    tags: { team: 'search', 'env.name': 'prod' },
  });
}

/** Expected newest-first order of span ids. */
export function newestFirstIds(spans: readonly Span[]): string[] {
  return [...spans]
    .sort((a, b) => b.startTime - a.startTime || (a.spanId < b.spanId ? 1 : a.spanId > b.spanId ? -1 : 0))
    .map((s) => s.spanId);
}
