import { describe, expect, it } from 'vitest';
import {
  createMessagesStreamParser,
  parseMessagesRequest,
  parseMessagesResponse,
} from './anthropic-messages.js';
import type { SseEvent } from './types.js';

const ev = (type: string, data: Record<string, unknown> = {}): SseEvent => ({
  event: type,
  data: JSON.stringify({ type, ...data }),
});

describe('anthropic messages request', () => {
  it('reads a block system prompt, media, tool_use history, tool results and thinking', () => {
    const r = parseMessagesRequest({
      model: 'claude-opus-4-1',
      max_tokens: 1024,
      system: [{ type: 'text', text: 'You are Claude.', cache_control: { type: 'ephemeral' } }],
      thinking: { type: 'enabled', budget_tokens: 2048 },
      tool_choice: { type: 'auto' },
      tools: [{ name: 'calc', input_schema: {} }],
      metadata: { user_id: 'u-9' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            { type: 'text', text: 'What is this?' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'tool_use', id: 'toolu_1', name: 'calc', input: { x: 2 } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '4' }] },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
    });
    expect(r.systemPrompt).toBe('You are Claude.');
    expect(r.maxTokens).toBe(1024);
    expect(r.endUser).toBe('u-9');
    expect(r.params).toEqual({
      max_tokens: 1024,
      tools: 1,
      tool_choice: 'auto',
      thinking_budget_tokens: 2048,
    });
    expect(r.messages).toEqual([
      { role: 'system', content: 'You are Claude.' },
      { role: 'user', content: '[image]\nWhat is this?' },
      { role: 'assistant', content: '[tool_call calc({"x":2})]' },
      { role: 'tool', content: '4', toolCallId: 'toolu_1' },
      { role: 'user', content: 'Thanks' },
    ]);
  });
});

describe('anthropic messages response', () => {
  it('reads text, tool_use, stop reason and cache usage (input counts all input tokens)', () => {
    const r = parseMessagesResponse({
      type: 'message',
      model: 'claude-opus-4-1-20250805',
      content: [
        { type: 'thinking', thinking: 'private', signature: 'x' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_2', name: 'lookup', input: { q: 'z' } },
      ],
      stop_reason: 'tool_use',
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 200,
        cache_read_input_tokens: 1000,
        output_tokens: 30,
      },
    });
    expect(r.text).toBe('Let me check.');
    expect(r.toolCalls).toEqual([{ id: 'toolu_2', name: 'lookup', arguments: '{"q":"z"}' }]);
    expect(r.finishReason).toBe('tool_use');
    expect(r.usage).toEqual({
      promptTokens: 1210,
      completionTokens: 30,
      totalTokens: 1240,
      cachedTokens: 1000,
      cacheCreationTokens: 200,
    });
  });

  it('reads the Anthropic error body', () => {
    expect(
      parseMessagesResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
        .error,
    ).toBe('Overloaded');
  });
});

describe('anthropic messages stream', () => {
  it('follows the event sequence; message_delta usage replaces message_start counts', () => {
    const p = createMessagesStreamParser();
    p.push(
      ev('message_start', {
        message: {
          model: 'claude-haiku-4-5',
          usage: { input_tokens: 25, cache_read_input_tokens: 100, output_tokens: 1 },
        },
      }),
    );
    p.push(ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }));
    expect(
      p.push(
        ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'secret plan' } }),
      ),
    ).toBe(false);
    p.push(ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }));
    p.push(ev('ping'));
    expect(
      p.push(ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'Hello' } })),
    ).toBe(true);
    p.push(ev('content_block_stop', { index: 1 }));
    expect(
      p.push(
        ev('content_block_start', {
          index: 2,
          content_block: { type: 'tool_use', id: 'toolu_3', name: 'calc', input: {} },
        }),
      ),
    ).toBe(true);
    p.push(
      ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"a":' } }),
    );
    p.push(ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '5}' } }));
    p.push(ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 42 } }));
    p.push(ev('message_stop'));
    expect(p.result()).toEqual({
      responseModel: 'claude-haiku-4-5',
      text: 'Hello',
      toolCalls: [{ id: 'toolu_3', name: 'calc', arguments: '{"a":5}' }],
      finishReason: 'tool_use',
      usage: { promptTokens: 125, completionTokens: 42, totalTokens: 167, cachedTokens: 100 },
      error: undefined,
    });
  });

  it('a tool_use without input deltas records its empty input; an error event is kept', () => {
    const p = createMessagesStreamParser();
    p.push(
      ev('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 't', name: 'now', input: {} },
      }),
    );
    p.push(ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }));
    const r = p.result();
    expect(r.toolCalls).toEqual([{ id: 't', name: 'now', arguments: '{}' }]);
    expect(r.error).toBe('Overloaded');
    expect(r.usage).toBeUndefined();
  });
});
