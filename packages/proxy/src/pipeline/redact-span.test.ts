import type { Span } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { redactSpan } from './redact-span.js';

const base = {
  traceId: 't',
  spanId: 's',
  tenantId: 'a',
  operation: 'chat',
  provider: 'openai',
  model: 'm',
  startTime: 0,
  endTime: 1,
  durationMs: 1,
  stream: false,
  statusCode: 200,
  status: 'ok',
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  usageSource: 'none',
  securityScore: 50,
  toolCalls: [],
  tags: {},
} satisfies Omit<Span, 'prompt' | 'response' | 'findings'>;

describe('redactSpan', () => {
  it('replaces PII and secrets in the right message and in the response, keeping other text', () => {
    const span: Span = {
      ...base,
      prompt: [
        { role: 'system', content: 'be nice' },
        { role: 'user', content: 'mail bob@example.com or call 555-0100' },
      ],
      response: 'your key AKIAZ7Q3LMNPX4RT2WYB works',
      findings: [
        {
          type: 'pii.email',
          severity: 'low',
          confidence: 1,
          detector: 'pii',
          message: '',
          excerpt: 'b**@…',
          location: { side: 'request', messageIndex: 1, start: 5, end: 20 },
        },
        {
          type: 'pii.phone',
          severity: 'low',
          confidence: 1,
          detector: 'pii',
          message: '',
          location: { side: 'request', messageIndex: 1, start: 29, end: 37 },
        },
        {
          type: 'secret.aws_access_key',
          severity: 'critical',
          confidence: 1,
          detector: 's',
          message: '',
          location: { side: 'response', start: 9, end: 29 },
        },
        {
          type: 'prompt_injection',
          severity: 'high',
          confidence: 1,
          detector: 'i',
          message: '',
          excerpt: 'keep',
          location: { side: 'request', messageIndex: 1, start: 0, end: 4 },
        },
      ],
    };
    const out = redactSpan(span);
    expect(out.prompt[0]!.content).toBe('be nice');
    expect(out.prompt[1]!.content).toBe('mail [REDACTED:pii.email] or call [REDACTED:pii.phone]');
    expect(out.response).toBe('your key [REDACTED:secret.aws_access_key] works');
    expect(out.findings[0]!.excerpt).toBeUndefined();
    expect(out.findings[3]!.excerpt).toBe('keep');
    expect(span.prompt[1]!.content).toContain('bob@example.com'); // the original is untouched
  });

  it('leaves a span without such findings as it is', () => {
    const span: Span = {
      ...base,
      prompt: [{ role: 'user', content: 'hi' }],
      response: 'hello',
      findings: [],
    };
    expect(redactSpan(span)).toBe(span);
  });
});
