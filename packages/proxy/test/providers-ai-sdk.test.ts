import { createOpenAI } from '@ai-sdk/openai';
import type { Span } from '@llmtrace/core';
import { generateText, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPricing, type MockUpstream } from '../src/index.js';
import { startMockUpstream, startProxy, type TestProxy } from './helpers.js';

let upstream: MockUpstream;
let proxy: TestProxy;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  upstream = await startMockUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url, pricing: createPricing() });
  openai = createOpenAI({ apiKey: 'sk-test', baseURL: `${proxy.url}/v1` });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

function nextSpan(): () => Promise<Span> {
  const before = proxy.spans.length;
  return async () => (await proxy.waitForSpans(before + 1))[before]!;
}

const content = (text: string) => ({ 'x-mock-content': encodeURIComponent(text) });

describe('Vercel ai SDK with @ai-sdk/openai through the proxy', () => {
  it('generateText over chat completions: text and usage match the span', async () => {
    const span = nextSpan();
    const text = 'Generated through the ai SDK.';
    const result = await generateText({
      model: openai.chat('gpt-4o-mini'),
      prompt: 'Hello',
      headers: content(text),
      maxRetries: 0,
    });
    expect(result.text).toBe(text);
    const s = await span();
    expect(s.operation).toBe('chat');
    expect(s.response).toBe(text);
    expect(s.promptTokens).toBe(result.usage.inputTokens);
    expect(s.completionTokens).toBe(result.usage.outputTokens);
    expect(s.costUsd).toBeCloseTo(
      (result.usage.inputTokens! * 0.15 + result.usage.outputTokens! * 0.6) / 1e6,
      12,
    );
  });

  it('streamText over chat completions: streamed text and the usage chunk reach the span', async () => {
    const span = nextSpan();
    const text = 'Streamed through the ai SDK, chunk by chunk.';
    const result = streamText({
      model: openai.chat('gpt-4o-mini'),
      prompt: 'Stream',
      headers: content(text),
      maxRetries: 0,
    });
    let received = '';
    for await (const delta of result.textStream) received += delta;
    const usage = await result.usage;
    expect(received).toBe(text);
    const s = await span();
    expect(s.stream).toBe(true);
    expect(s.response).toBe(text);
    expect(s.usageSource).toBe('upstream');
    expect(s.promptTokens).toBe(usage.inputTokens);
    expect(s.completionTokens).toBe(usage.outputTokens);
    expect(s.ttftMs).toBeDefined();
  });

  it('streamText over the Responses API (the provider default): text, usage and TTFT', async () => {
    const span = nextSpan();
    const text = 'The Responses API, streamed by the ai SDK.';
    const result = streamText({
      model: openai('gpt-4o-mini'),
      prompt: 'Stream',
      headers: content(text),
      maxRetries: 0,
    });
    let received = '';
    for await (const delta of result.textStream) received += delta;
    const usage = await result.usage;
    expect(received).toBe(text);
    const s = await span();
    expect(s.operation).toBe('responses');
    expect(s.response).toBe(text);
    expect(s.promptTokens).toBe(usage.inputTokens);
    expect(s.completionTokens).toBe(usage.outputTokens);
    expect(s.ttftMs!).toBeLessThanOrEqual(s.durationMs);
  });

  it('generateText with a tool: the model call is the span tool call', async () => {
    const span = nextSpan();
    const result = await generateText({
      model: openai.chat('gpt-4o-mini'),
      prompt: 'Weather in Rome?',
      tools: {
        get_weather: tool({
          description: 'Weather for a city',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => `Sunny in ${city}`,
        }),
      },
      headers: { 'x-mock-tool-args': encodeURIComponent(JSON.stringify({ city: 'Rome' })) },
      maxRetries: 0,
    });
    const call = result.toolCalls[0];
    expect(call?.toolName).toBe('get_weather');
    expect(call?.input).toEqual({ city: 'Rome' });
    const s = await span();
    expect(s.toolCalls).toHaveLength(1);
    expect(s.toolCalls[0]).toMatchObject({ id: call?.toolCallId, name: 'get_weather' });
    expect(JSON.parse(s.toolCalls[0]!.arguments)).toEqual({ city: 'Rome' });
  });
});
