import Anthropic from '@anthropic-ai/sdk';
import type { Span } from '@llmtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPricing, type MockUpstream } from '../src/index.js';
import { startMockUpstream, startProxy, type TestProxy } from './helpers.js';

// Published Claude Haiku 4.5 prices per 1M tokens: input, cache read, cache write (5 min), output.
const HAIKU = { input: 1, cacheRead: 0.1, cacheWrite: 1.25, output: 5 };

let openaiUp: MockUpstream;
let anthropicUp: MockUpstream;
let proxy: TestProxy;
let client: Anthropic;

beforeAll(async () => {
  openaiUp = await startMockUpstream();
  anthropicUp = await startMockUpstream();
  proxy = await startProxy({
    upstreamUrl: openaiUp.url,
    routes: [{ prefix: '/v1/messages', upstream: anthropicUp.url }],
    pricing: createPricing(),
  });
  client = new Anthropic({ apiKey: 'sk-ant-test-key', baseURL: proxy.url, maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await openaiUp.close();
  await anthropicUp.close();
});

function nextSpan(): () => Promise<Span> {
  const before = proxy.spans.length;
  return async () => (await proxy.waitForSpans(before + 1))[before]!;
}

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};
const toolHeaders = { 'x-mock-tool-args': encodeURIComponent(JSON.stringify({ city: 'Oslo' })) };

describe('anthropic SDK through the proxy', () => {
  it('messages.create is routed to the Anthropic upstream with its headers; span has system, usage and cost', async () => {
    const span = nextSpan();
    const openaiBefore = openaiUp.received.length;
    const msg = await client.messages.create(
      {
        model: 'claude-haiku-4-5-20251001',
        max_tokens: 256,
        system: 'You are a careful assistant.',
        messages: [{ role: 'user', content: 'Name a fjord.' }],
        metadata: { user_id: 'user-42' },
      },
      { headers: { 'x-api-key': 'sk-ant-explicit-key' } },
    );
    const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text).toContain('Name a fjord.');
    const got = anthropicUp.received.at(-1)!;
    expect(got.path).toBe('/v1/messages');
    expect(got.headers['x-api-key']).toBe('sk-ant-explicit-key');
    expect(got.headers.authorization).toBe('Bearer sk-ant-test-key');
    expect(got.headers['anthropic-version']).toBeTruthy();
    expect(openaiUp.received.length).toBe(openaiBefore);

    const s = await span();
    expect(s.operation).toBe('messages');
    expect(s.provider).toBe('anthropic');
    expect(s.model).toBe('claude-haiku-4-5-20251001');
    expect(s.endUser).toBe('user-42');
    expect(s.prompt).toEqual([
      { role: 'system', content: 'You are a careful assistant.' },
      { role: 'user', content: 'Name a fjord.' },
    ]);
    expect(s.response).toBe(text);
    expect(s.finishReason).toBe('end_turn');
    expect(s.promptTokens).toBe(msg.usage.input_tokens);
    expect(s.completionTokens).toBe(msg.usage.output_tokens);
    expect(s.costUsd).toBeCloseTo(
      (msg.usage.input_tokens * HAIKU.input + msg.usage.output_tokens * HAIKU.output) / 1e6,
      12,
    );
  });

  it('cache read and creation tokens are counted as input and priced at their own rates', async () => {
    const span = nextSpan();
    const msg = await client.messages.create(
      { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'cached' }] },
      { headers: { 'x-mock-cache-read-tokens': '2000', 'x-mock-cache-creation-tokens': '500' } },
    );
    const u = msg.usage;
    const s = await span();
    expect(s.promptTokens).toBe(u.input_tokens + 2000 + 500);
    expect(s.cachedTokens).toBe(2000);
    const expected =
      (u.input_tokens * HAIKU.input +
        2000 * HAIKU.cacheRead +
        500 * HAIKU.cacheWrite +
        u.output_tokens * HAIKU.output) /
      1e6;
    expect(s.costUsd).toBeCloseTo(expected, 12);
  });

  it('messages.stream: the client gets the event sequence; usage comes from message_start and message_delta', async () => {
    const span = nextSpan();
    const text = 'Streaming from the Messages API.';
    const stream = client.messages.stream(
      { model: 'claude-haiku-4-5', max_tokens: 128, messages: [{ role: 'user', content: 'go' }] },
      { headers: { 'x-mock-content': encodeURIComponent(text), 'x-mock-chunk-delay-ms': '5' } },
    );
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    expect(final.content[0]?.type === 'text' && final.content[0].text).toBe(text);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types).toContain('message_delta');

    const s = await span();
    expect(s.stream).toBe(true);
    expect(s.response).toBe(text);
    expect(s.usageSource).toBe('upstream');
    expect(s.promptTokens).toBe(final.usage.input_tokens);
    // The final output count comes from message_delta, not message_start's placeholder of 1.
    expect(s.completionTokens).toBe(final.usage.output_tokens);
    expect(s.completionTokens).toBeGreaterThan(1);
    expect(s.costUsd).toBeCloseTo(
      (final.usage.input_tokens * HAIKU.input + final.usage.output_tokens * HAIKU.output) / 1e6,
      12,
    );
    expect(s.ttftMs!).toBeLessThan(s.durationMs);
  });

  it('tool_use (non-streaming and streaming) becomes the span tool calls; tool_result is a tool message', async () => {
    const span = nextSpan();
    const msg = await client.messages.create(
      {
        model: 'claude-haiku-4-5',
        max_tokens: 256,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      },
      { headers: toolHeaders },
    );
    const use = msg.content.find((b) => b.type === 'tool_use');
    if (use?.type !== 'tool_use') throw new Error('expected tool_use');
    expect(use.input).toEqual({ city: 'Oslo' });
    const s = await span();
    expect(s.toolCalls).toEqual([
      { id: use.id, name: 'get_weather', arguments: JSON.stringify({ city: 'Oslo' }) },
    ]);
    expect(s.finishReason).toBe('tool_use');

    const streamed = nextSpan();
    const final = await client.messages
      .stream(
        {
          model: 'claude-haiku-4-5',
          max_tokens: 256,
          tools: [weatherTool],
          messages: [{ role: 'user', content: 'Weather?' }],
        },
        { headers: toolHeaders },
      )
      .finalMessage();
    const streamedUse = final.content.find((b) => b.type === 'tool_use');
    if (streamedUse?.type !== 'tool_use') throw new Error('expected tool_use');
    expect(streamedUse.input).toEqual({ city: 'Oslo' });
    const st = await streamed();
    expect(st.toolCalls).toHaveLength(1);
    expect(st.toolCalls[0]?.id).toBe(streamedUse.id);
    expect(JSON.parse(st.toolCalls[0]!.arguments)).toEqual({ city: 'Oslo' });

    const follow = nextSpan();
    await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: streamedUse.id, name: 'get_weather', input: { city: 'Oslo' } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: streamedUse.id, content: 'Rain, 9C' }],
        },
      ],
    });
    const f = await follow();
    expect(f.toolCalls).toEqual([]);
    expect(f.prompt.at(-1)).toEqual({ role: 'tool', content: 'Rain, 9C', toolCallId: streamedUse.id });
  });
});
