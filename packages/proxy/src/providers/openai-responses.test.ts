import { describe, expect, it } from 'vitest';
import {
  createResponsesStreamParser,
  parseResponsesRequest,
  parseResponsesResponse,
} from './openai-responses.js';
import type { SseEvent } from './types.js';

const ev = (type: string, data: Record<string, unknown> = {}): SseEvent => ({
  event: type,
  data: JSON.stringify({ type, ...data }),
});

describe('responses request', () => {
  it('reads instructions, typed input items, function outputs and reasoning effort', () => {
    const r = parseResponsesRequest({
      model: 'o4-mini',
      instructions: 'Be exact.',
      max_output_tokens: 300,
      reasoning: { effort: 'high' },
      tools: [{ type: 'function', name: 'f' }],
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Read this' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
          ],
        },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'done' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
      ],
    });
    expect(r.systemPrompt).toBe('Be exact.');
    expect(r.maxTokens).toBe(300);
    expect(r.params).toMatchObject({ tools: 1, reasoning_effort: 'high' });
    expect(r.messages).toEqual([
      { role: 'system', content: 'Be exact.' },
      { role: 'user', content: 'Read this\n[image]' },
      { role: 'assistant', content: '[tool_call f({"a":1})]' },
      { role: 'tool', content: 'done', toolCallId: 'call_1' },
    ]);
  });
});

describe('responses body', () => {
  it('reads output text, function and built-in tool calls, usage and incomplete status', () => {
    const r = parseResponsesResponse({
      object: 'response',
      model: 'o4-mini-2025-04-16',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [
        { type: 'reasoning', id: 'rs_1', summary: [] },
        {
          type: 'web_search_call',
          id: 'ws_1',
          status: 'completed',
          action: { type: 'search', query: 'weather' },
        },
        {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Partial', annotations: [] }],
        },
        { type: 'function_call', id: 'fc_1', call_id: 'call_9', name: 'lookup', arguments: '{}' },
      ],
      usage: {
        input_tokens: 50,
        input_tokens_details: { cached_tokens: 10 },
        output_tokens: 300,
        output_tokens_details: { reasoning_tokens: 256 },
        total_tokens: 350,
      },
    });
    expect(r.text).toBe('Partial');
    expect(r.finishReason).toBe('max_output_tokens');
    expect(r.toolCalls).toEqual([
      { id: 'ws_1', name: 'web_search', arguments: '{"type":"search","query":"weather"}' },
      { id: 'call_9', name: 'lookup', arguments: '{}' },
    ]);
    expect(r.usage).toEqual({
      promptTokens: 50,
      completionTokens: 300,
      totalTokens: 350,
      cachedTokens: 10,
      reasoningTokens: 256,
    });
  });
});

describe('responses stream', () => {
  it('accumulates deltas when the stream ends before response.completed', () => {
    const p = createResponsesStreamParser();
    expect(p.push(ev('response.created', { response: { model: 'gpt-4.1', status: 'in_progress' } }))).toBe(
      false,
    );
    p.push(
      ev('response.output_item.added', {
        output_index: 0,
        item: { type: 'message', role: 'assistant', content: [] },
      }),
    );
    expect(
      p.push(ev('response.output_text.delta', { output_index: 0, content_index: 0, delta: 'Half ' })),
    ).toBe(true);
    p.push(ev('response.output_text.delta', { output_index: 0, content_index: 0, delta: 'done' }));
    p.push(
      ev('response.output_item.added', {
        output_index: 1,
        item: { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '' },
      }),
    );
    expect(p.push(ev('response.function_call_arguments.delta', { output_index: 1, delta: '{"x"' }))).toBe(
      true,
    );
    p.push(ev('response.function_call_arguments.delta', { output_index: 1, delta: ':1}' }));
    const r = p.result();
    expect(r).toMatchObject({ responseModel: 'gpt-4.1', text: 'Half done', usage: undefined });
    expect(r.toolCalls).toEqual([{ id: 'call_1', name: 'f', arguments: '{"x":1}' }]);
  });

  it('takes usage and the final output from response.completed, and errors from error / response.failed', () => {
    const p = createResponsesStreamParser();
    p.push(ev('response.output_text.delta', { output_index: 0, content_index: 0, delta: 'Hi' }));
    p.push(
      ev('response.completed', {
        response: {
          model: 'gpt-4.1',
          status: 'completed',
          output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hi' }] }],
          usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 },
        },
      }),
    );
    expect(p.result()).toMatchObject({
      text: 'Hi',
      finishReason: 'completed',
      usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 },
    });

    const failed = createResponsesStreamParser();
    failed.push(
      ev('response.failed', {
        response: { status: 'failed', error: { code: 'server_error', message: 'boom' }, output: [] },
      }),
    );
    expect(failed.result().error).toBe('boom');
    const errored = createResponsesStreamParser();
    errored.push(ev('error', { code: 'rate_limit_exceeded', message: 'slow down' }));
    expect(errored.result().error).toBe('slow down');
  });
});
