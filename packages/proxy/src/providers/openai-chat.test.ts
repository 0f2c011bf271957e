import { describe, expect, it } from 'vitest';
import { createChatStreamParser, parseChatRequest, parseChatResponse } from './openai-chat.js';
import type { SseEvent } from './types.js';

const sse = (data: unknown): SseEvent => ({ data: typeof data === 'string' ? data : JSON.stringify(data) });

describe('openai chat request', () => {
  it('records messages, system prompt, params, tools, end user and stream usage', () => {
    const r = parseChatRequest({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.3,
      max_completion_tokens: 500,
      user: 'u-1',
      tools: [
        { type: 'function', function: { name: 'a' } },
        { type: 'function', function: { name: 'b' } },
      ],
      response_format: { type: 'json_schema', json_schema: {} },
      messages: [
        { role: 'developer', content: 'Rules.' },
        {
          role: 'user',
          name: 'ann',
          content: [
            { type: 'text', text: 'Look' },
            { type: 'input_audio', input_audio: { data: 'QUJD', format: 'wav' } },
          ],
        },
        { role: 'assistant', content: null, function_call: { name: 'legacy_fn', arguments: '{"x":1}' } },
        { role: 'function', name: 'legacy_fn', content: 'result' },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot.' }] },
      ],
    });
    expect(r.model).toBe('gpt-4o');
    expect(r.stream).toBe(true);
    expect(r.streamUsageRequested).toBe(true);
    expect(r.systemPrompt).toBe('Rules.');
    expect(r.maxTokens).toBe(500);
    expect(r.endUser).toBe('u-1');
    expect(r.params).toEqual({
      temperature: 0.3,
      max_completion_tokens: 500,
      tools: 2,
      response_format: 'json_schema',
    });
    expect(r.messages).toEqual([
      { role: 'developer', content: 'Rules.' },
      { role: 'user', name: 'ann', content: 'Look\n[audio]' },
      { role: 'assistant', content: '[tool_call legacy_fn({"x":1})]' },
      { role: 'function', name: 'legacy_fn', content: 'result' },
      { role: 'assistant', content: 'I cannot.' },
    ]);
  });
});

describe('openai chat response', () => {
  it('reads text, parallel tool calls, usage details and the finish reason', () => {
    const r = parseChatResponse({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'gpt-4o-2024-08-06',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"a"}' } },
              { id: 'call_2', type: 'function', function: { name: 'fetch', arguments: '{"url":"b"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 120,
        prompt_tokens_details: { cached_tokens: 64 },
        completion_tokens_details: { reasoning_tokens: 8 },
      },
    });
    expect(r.responseModel).toBe('gpt-4o-2024-08-06');
    expect(r.text).toBe('');
    expect(r.toolCalls).toEqual([
      { id: 'call_1', name: 'search', arguments: '{"q":"a"}' },
      { id: 'call_2', name: 'fetch', arguments: '{"url":"b"}' },
    ]);
    expect(r.finishReason).toBe('tool_calls');
    expect(r.usage).toEqual({
      promptTokens: 100,
      completionTokens: 20,
      totalTokens: 120,
      cachedTokens: 64,
      reasoningTokens: 8,
    });
  });

  it('records a refusal as the response text, and a legacy function_call as a tool call', () => {
    expect(parseChatResponse({ choices: [{ message: { content: null, refusal: 'No.' } }] }).text).toBe('No.');
    expect(
      parseChatResponse({ choices: [{ message: { function_call: { name: 'f', arguments: '{}' } } }] })
        .toolCalls,
    ).toEqual([{ name: 'f', arguments: '{}' }]);
  });
});

describe('openai chat stream', () => {
  it('reassembles interleaved parallel tool-call fragments and reports content for TTFT', () => {
    const p = createChatStreamParser();
    expect(
      p.push(sse({ model: 'gpt-4o', choices: [{ index: 0, delta: { role: 'assistant', content: null } }] })),
    ).toBe(false);
    expect(
      p.push(
        sse({
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  { index: 0, id: 'call_a', type: 'function', function: { name: 'one', arguments: '' } },
                ],
              },
            },
          ],
        }),
      ),
    ).toBe(true);
    p.push(
      sse({
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                { index: 1, id: 'call_b', type: 'function', function: { name: 'two', arguments: '{"b"' } },
              ],
            },
          },
        ],
      }),
    );
    p.push(
      sse({
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] } }],
      }),
    );
    p.push(
      sse({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] } }] }),
    );
    p.push(
      sse({ choices: [{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: ':2}' } }] } }] }),
    );
    p.push(sse({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
    p.push(sse({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } }));
    p.push(sse('[DONE]'));
    const r = p.result();
    expect(r.responseModel).toBe('gpt-4o');
    expect(r.toolCalls).toEqual([
      { id: 'call_a', name: 'one', arguments: '{"a":1}' },
      { id: 'call_b', name: 'two', arguments: '{"b":2}' },
    ]);
    expect(r.finishReason).toBe('tool_calls');
    expect(r.usage).toEqual({ promptTokens: 9, completionTokens: 4, totalTokens: 13 });
  });

  it('keeps the latest usage when a server reports it on every chunk, and records an in-stream error', () => {
    const p = createChatStreamParser();
    p.push(
      sse({
        choices: [{ index: 0, delta: { content: 'a' } }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      }),
    );
    p.push(
      sse({
        choices: [{ index: 0, delta: { content: 'b' } }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      }),
    );
    p.push(sse({ error: { message: 'overloaded', type: 'server_error' } }));
    const r = p.result();
    expect(r.text).toBe('ab');
    expect(r.usage?.completionTokens).toBe(2);
    expect(r.error).toBe('overloaded');
  });

  it('joins n > 1 choices by index, and a refusal delta counts as content', () => {
    const p = createChatStreamParser();
    p.push(sse({ choices: [{ index: 1, delta: { content: 'second' } }] }));
    p.push(sse({ choices: [{ index: 0, delta: { content: 'first' } }] }));
    expect(p.push(sse({ choices: [{ index: 2, delta: { refusal: 'nope' } }] }))).toBe(true);
    expect(p.result().text).toBe('first\n\nsecond\n\nnope');
  });
});
