import { createScanner } from '@llmtrace/security';
import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../providers/types.js';
import { guardJsonBody } from './output-body.js';
import { createAnthropicGuard, createOpenAIChatGuard } from './output-guard.js';
import { createTextGuard } from './text-guard.js';
import type { EnforcementRule } from './types.js';

const scanner = createScanner({ learnedModel: false });
const guardWith = (rules: EnforcementRule[]) => () =>
  createTextGuard({ scan: (t) => scanner.scanResponse(t).findings, rules });
const redact = guardWith([{ match: 'secret.*', action: 'redact' }]);
const block = guardWith([{ match: 'secret.*', action: 'block' }]);

function drive(rw: { push(e: SseEvent): SseEvent[]; end(): SseEvent[] }, events: SseEvent[]): SseEvent[] {
  return [...events.flatMap((e) => rw.push(e)), ...rw.end()];
}

const oa = (choices: unknown[]): SseEvent => ({
  data: JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices }),
});
const oaText = (events: SseEvent[], index = 0): string =>
  events
    .filter((e) => e.data !== '[DONE]')
    .flatMap(
      (e) =>
        (JSON.parse(e.data) as { choices: Array<{ index: number; delta: { content?: string } }> }).choices,
    )
    .filter((c) => c.index === index)
    .map((c) => c.delta.content ?? '')
    .join('');

describe('OpenAI chat stream guard', () => {
  it('keeps choices apart (n > 1) and redacts each', () => {
    const out = drive(createOpenAIChatGuard(redact), [
      oa([{ index: 0, delta: { content: 'A: AKIAZ3MS' }, finish_reason: null }]),
      oa([{ index: 1, delta: { content: 'B: plain text' }, finish_reason: null }]),
      oa([{ index: 0, delta: { content: 'JV4WWXQDEFGH.' }, finish_reason: null }]),
      oa([
        { index: 0, delta: {}, finish_reason: 'stop' },
        { index: 1, delta: {}, finish_reason: 'stop' },
      ]),
      { data: '[DONE]' },
    ]);
    expect(oaText(out, 0)).toBe('A: [REDACTED:secret.aws_access_key].');
    expect(oaText(out, 1)).toBe('B: plain text');
    expect(out[out.length - 1]!.data).toBe('[DONE]');
  });

  it('a block ends with one content_filter chunk and [DONE], and drops everything after', () => {
    const rw = createOpenAIChatGuard(block);
    const out = drive(rw, [
      oa([{ index: 0, delta: { content: 'key AKIAZ3MSJV4WWXQDEFGH and more' }, finish_reason: null }]),
      oa([{ index: 0, delta: { content: 'after' }, finish_reason: null }]),
    ]);
    expect(rw.stopped?.()).toBe(true);
    expect(out.map((e) => e.data)).toEqual([
      expect.stringContaining('"finish_reason":"content_filter"'),
      '[DONE]',
    ]);
  });

  it('passes usage-only and unparseable events through unchanged', () => {
    const usage = { data: JSON.stringify({ id: 'c1', choices: [], usage: { total_tokens: 3 } }) };
    const junk = { data: 'not json' };
    expect(drive(createOpenAIChatGuard(redact), [usage, junk])).toEqual([usage, junk]);
  });
});

describe('Anthropic stream guard', () => {
  const delta = (text: string): SseEvent => ({
    event: 'content_block_delta',
    data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
  });
  const stop: SseEvent = {
    event: 'content_block_stop',
    data: JSON.stringify({ type: 'content_block_stop', index: 0 }),
  };
  const text = (events: SseEvent[]) =>
    events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (JSON.parse(e.data) as { delta: { text: string } }).delta.text)
      .join('');

  it('redacts text split over three deltas, flushing before content_block_stop', () => {
    const out = drive(createAnthropicGuard(redact), [
      delta('The key AKIAZ'),
      delta('3MSJV4WW'),
      delta('XQDEFGH works.'),
      stop,
    ]);
    expect(text(out)).toBe('The key [REDACTED:secret.aws_access_key] works.');
    expect(out[out.length - 1]).toEqual(stop);
  });

  it('a block ends the message with stop_reason refusal and message_stop', () => {
    const rw = createAnthropicGuard(block);
    const out = drive(rw, [delta('The key AKIAZ3MSJV4WWXQDEFGH'), stop]);
    expect(rw.stopped?.()).toBe(true);
    expect(out.map((e) => e.event)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(out[1]!.data).toContain('"stop_reason":"refusal"');
  });
});

describe('non-streaming bodies', () => {
  it('redacts Anthropic text blocks and leaves clean bodies alone', () => {
    const body = Buffer.from(
      JSON.stringify({
        type: 'message',
        content: [{ type: 'text', text: 'key AKIAZ3MSJV4WWXQDEFGH' }],
        stop_reason: 'end_turn',
      }),
    );
    const out = JSON.parse(guardJsonBody(body, 'anthropic.messages', redact)!.toString()) as {
      content: Array<{ text: string }>;
    };
    expect(out.content[0]!.text).toBe('key [REDACTED:secret.aws_access_key]');
    expect(
      guardJsonBody(
        Buffer.from(JSON.stringify({ content: [{ type: 'text', text: 'hello' }] })),
        'anthropic.messages',
        redact,
      ),
    ).toBeUndefined();
  });
});
