import type { Finding } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { actionFor, findingsSummary } from './actions.js';
import { redactBody, replacementsFor } from './redact.js';

const finding = (
  type: string,
  messageIndex: number,
  start: number,
  end: number,
  severity: Finding['severity'] = 'high',
): Finding => ({
  type,
  severity,
  confidence: 0.9,
  detector: 't',
  message: '',
  location: { side: 'request', messageIndex, start, end },
});

describe('request redaction', () => {
  it('takes the text from the parsed message and replaces it in strings and content parts', () => {
    const messages = [
      { role: 'system', content: 'be nice' },
      { role: 'user', content: 'mail a@b.co please\nsee a@b.co' },
    ];
    const list = replacementsFor([finding('pii.email', 1, 5, 11)], messages)!;
    const body: Record<string, unknown> = {
      model: 'x',
      messages: [
        { role: 'system', content: 'be nice' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'mail a@b.co please' },
            { type: 'image_url', image_url: { url: 'data:a@b.co' } },
            { type: 'text', text: 'see a@b.co' },
          ],
        },
      ],
    };
    expect(redactBody(body, list)).toEqual([]);
    const parts = (body.messages as Array<{ content: unknown }>)[1]!.content;
    expect(parts).toEqual([
      { type: 'text', text: 'mail [REDACTED:pii.email] please' },
      { type: 'image_url', image_url: { url: 'data:a@b.co' } },
      { type: 'text', text: 'see [REDACTED:pii.email]' },
    ]);
  });

  it('reports texts it could not find, and refuses findings without a location', () => {
    expect(
      redactBody({ messages: [{ role: 'user', content: 'nothing' }] }, [{ text: 'secret', with: 'x' }]),
    ).toEqual(['secret']);
    expect(
      replacementsFor(
        [{ ...finding('pii.email', 0, 0, 1), location: undefined }],
        [{ role: 'user', content: 'a' }],
      ),
    ).toBeUndefined();
  });

  it('replaces the longer of two overlapping matches first', () => {
    const messages = [{ role: 'user', content: 'token abc123456 and abc' }];
    const list = replacementsFor(
      [finding('custom.short', 0, 6, 9), finding('secret.long', 0, 6, 15)],
      messages,
    )!;
    const body = { messages: [{ role: 'user', content: 'token abc123456 and abc' }] };
    redactBody(body, list);
    expect(body.messages[0]!.content).toBe('token [REDACTED:secret.long] and [REDACTED:custom.short]');
  });
});

describe('enforcement rules', () => {
  it('first matching rule wins; prefixes and thresholds apply; default is log', () => {
    const rules = [
      { match: 'pii.email', action: 'log' as const },
      { match: 'pii.*', action: 'redact' as const, minSeverity: 'medium' as const },
      { match: '*', action: 'flag' as const, minConfidence: 0.95 },
    ];
    expect(actionFor(finding('pii.email', 0, 0, 1), rules)).toBe('log');
    expect(actionFor(finding('pii.phone', 0, 0, 1), rules)).toBe('redact');
    expect(actionFor(finding('pii.phone', 0, 0, 1, 'low'), rules)).toBe('log');
    expect(actionFor({ ...finding('jailbreak', 0, 0, 1), confidence: 0.99 }, rules)).toBe('flag');
    expect(actionFor(finding('jailbreak', 0, 0, 1), rules)).toBe('log');
  });

  it('summarises findings by type with the highest severity, never the matched text', () => {
    const s = findingsSummary([
      finding('pii.email', 0, 0, 1, 'low'),
      finding('pii.email', 0, 0, 1, 'high'),
      finding('jailbreak', 0, 0, 1, 'medium'),
    ]);
    expect(s).toBe('pii.email:high,jailbreak:medium');
  });
});
