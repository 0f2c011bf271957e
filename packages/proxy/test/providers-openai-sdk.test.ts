import type { Span } from '@llmtrace/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPricing, type MockUpstream } from '../src/index.js';
import { startMockUpstream, startProxy, type TestProxy } from './helpers.js';

// Published per-1M-token prices the spans must be costed with (kept literal here on purpose).
const GPT_4O_MINI = { input: 0.15, output: 0.6 };
const GPT_4O = { input: 2.5, output: 10 };

let upstream: MockUpstream;
let proxy: TestProxy;
let injecting: TestProxy;
let client: OpenAI;
let injectingClient: OpenAI;

beforeAll(async () => {
  upstream = await startMockUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url, pricing: createPricing() });
  injecting = await startProxy({
    upstreamUrl: upstream.url,
    pricing: createPricing(),
    injectStreamUsage: true,
  });
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
  injectingClient = new OpenAI({ apiKey: 'sk-test', baseURL: `${injecting.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await injecting.close();
  await upstream.close();
});

function nextSpan(p: TestProxy = proxy): () => Promise<Span> {
  const before = p.spans.length;
  return async () => (await p.waitForSpans(before + 1))[before]!;
}

function cost(price: { input: number; output: number }, prompt: number, completion: number): number {
  return (prompt * price.input + completion * price.output) / 1e6;
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city'],
    },
  },
};
const toolArgs = { city: 'Paris', days: 3 };
const toolHeaders = { 'x-mock-tool-args': encodeURIComponent(JSON.stringify(toolArgs)) };

describe('openai SDK: chat completions', () => {
  it('streams with include_usage: client text is the upstream text; span has its usage, cost and TTFT', async () => {
    const span = nextSpan();
    const text = 'Streaming works, token by token, through the proxy.';
    const stream = await client.chat.completions.create(
      {
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Stream please' }],
      },
      { headers: { 'x-mock-content': encodeURIComponent(text), 'x-mock-chunk-delay-ms': '5' } },
    );
    let received = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(received).toBe(text);
    expect(usage).toBeDefined();
    const s = await span();
    expect(s.stream).toBe(true);
    expect(s.response).toBe(text);
    expect(s.usageSource).toBe('upstream');
    expect(s.promptTokens).toBe(usage!.prompt_tokens);
    expect(s.completionTokens).toBe(usage!.completion_tokens);
    expect(s.costUsd).toBeCloseTo(cost(GPT_4O_MINI, usage!.prompt_tokens, usage!.completion_tokens), 12);
    expect(s.ttftMs).toBeGreaterThanOrEqual(0);
    expect(s.ttftMs!).toBeLessThan(s.durationMs);
    expect(s.finishReason).toBe('stop');
  });

  it('a stream without usage is estimated with the tokenizer and marked so', async () => {
    const span = nextSpan();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Count me' }],
    });
    let received = '';
    for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    const s = await span();
    expect(s.response).toBe(received);
    expect(s.usageSource).toBe('estimated');
    expect(s.promptTokens).toBeGreaterThan(0);
    expect(s.completionTokens).toBeGreaterThan(5);
    expect(s.costUsd).toBeGreaterThan(0);
  });

  it('inject_stream_usage: the span gets upstream usage and the client never sees the extra chunk', async () => {
    const span = nextSpan(injecting);
    const text = 'Injected usage stays invisible.';
    const stream = await injectingClient.chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hello' }] },
      { headers: { 'x-mock-content': encodeURIComponent(text) } },
    );
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(text);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.every((c) => !('usage' in c) || c.usage == null)).toBe(true);
    const s = await span();
    expect(s.usageSource).toBe('upstream');
    expect(s.completionTokens).toBeGreaterThan(0);
    // The upstream really received the injected option.
    const sent = JSON.parse(upstream.received.at(-1)!.body.toString('utf8'));
    expect(sent.stream_options).toEqual({ include_usage: true });
  });

  it('inject_stream_usage leaves a client that asked for usage with its usage chunk', async () => {
    const span = nextSpan(injecting);
    const stream = await injectingClient.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hello' }],
    });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.total_tokens).toBeGreaterThan(0);
    expect((await span()).totalTokens).toBe(usage!.total_tokens);
  });

  it('tool calls (non-streaming) become the span tool calls with id, name and arguments', async () => {
    const span = nextSpan();
    const res = await client.chat.completions.create(
      {
        model: 'gpt-4o-mini',
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      },
      { headers: toolHeaders },
    );
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(JSON.parse(call.function.arguments)).toEqual(toolArgs);
    const s = await span();
    expect(s.toolCalls).toEqual([{ id: call.id, name: 'get_weather', arguments: call.function.arguments }]);
    expect(s.finishReason).toBe('tool_calls');
  });

  it('streamed tool-call fragments are reassembled; the tool result round-trip is recorded in the prompt', async () => {
    const span = nextSpan();
    const stream = await client.chat.completions.create(
      {
        model: 'gpt-4o-mini',
        stream: true,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Weather?' }],
      },
      { headers: toolHeaders },
    );
    let id = '';
    let args = '';
    for await (const chunk of stream) {
      const tc = chunk.choices[0]?.delta.tool_calls?.[0];
      if (tc?.id) id = tc.id;
      args += tc?.function?.arguments ?? '';
    }
    expect(JSON.parse(args)).toEqual(toolArgs);
    const s = await span();
    expect(s.toolCalls).toEqual([{ id, name: 'get_weather', arguments: args }]);
    expect(s.ttftMs).toBeDefined();

    const follow = nextSpan();
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: args } }],
        },
        { role: 'tool', tool_call_id: id, content: 'Sunny, 21C' },
      ],
    });
    expect(res.choices[0]?.message.content).toBeTruthy();
    const f = await follow();
    expect(f.prompt[2]).toEqual({ role: 'tool', content: 'Sunny, 21C', toolCallId: id });
    expect(f.prompt[1]?.content).toContain('get_weather');
  });

  it('a dated model name is costed at its family price; an unknown model gets no cost, not $0', async () => {
    const dated = nextSpan();
    const res = await client.chat.completions.create({
      model: 'gpt-4o-2024-08-06',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const d = await dated();
    expect(d.costUsd).toBeCloseTo(cost(GPT_4O, res.usage!.prompt_tokens, res.usage!.completion_tokens), 12);

    const unknown = nextSpan();
    await client.chat.completions.create({
      model: 'my-local-llama',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const u = await unknown();
    expect(u.usageSource).toBe('upstream');
    expect(u.totalTokens).toBeGreaterThan(0);
    expect(u.costUsd).toBeUndefined();
  });

  it('multimodal content: text parts are analysed, the image is noted but not stored inline', async () => {
    const span = nextSpan();
    const image = `data:image/png;base64,${'A'.repeat(4000)}`;
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: image } },
          ],
        },
      ],
    });
    const s = await span();
    expect(s.prompt[0]?.content).toBe('What is in this picture?\n[image]');
    expect(JSON.stringify(s)).not.toContain('AAAAAAAA');
  });
});

describe('openai SDK: responses, embeddings, models', () => {
  it('responses.create: output_text and usage match the span', async () => {
    const span = nextSpan();
    const text = 'A Responses API answer.';
    const res = await client.responses.create(
      { model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Say something' },
      { headers: { 'x-mock-content': encodeURIComponent(text) } },
    );
    expect(res.output_text).toBe(text);
    const s = await span();
    expect(s.operation).toBe('responses');
    expect(s.prompt).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say something' },
    ]);
    expect(s.response).toBe(text);
    expect(s.promptTokens).toBe(res.usage!.input_tokens);
    expect(s.completionTokens).toBe(res.usage!.output_tokens);
    expect(s.costUsd).toBeCloseTo(cost(GPT_4O_MINI, res.usage!.input_tokens, res.usage!.output_tokens), 12);
  });

  it('responses stream: typed events reach the client; the span has text, usage and TTFT', async () => {
    const span = nextSpan();
    const text = 'Typed events, one delta at a time.';
    const stream = await client.responses.create(
      { model: 'gpt-4o-mini', input: 'Stream it', stream: true },
      { headers: { 'x-mock-content': encodeURIComponent(text), 'x-mock-chunk-delay-ms': '5' } },
    );
    let deltas = '';
    let final: OpenAI.Responses.Response | undefined;
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.completed') final = event.response;
    }
    expect(deltas).toBe(text);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    const s = await span();
    expect(s.stream).toBe(true);
    expect(s.response).toBe(text);
    expect(s.usageSource).toBe('upstream');
    expect(s.totalTokens).toBe(final!.usage!.total_tokens);
    expect(s.ttftMs!).toBeLessThan(s.durationMs);
  });

  it('responses stream with a function tool: the call is the span tool call', async () => {
    const span = nextSpan();
    const stream = client.responses.stream(
      {
        model: 'gpt-4o-mini',
        input: 'Weather?',
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            parameters: weatherTool.function.parameters,
            strict: false,
          },
        ],
      },
      { headers: toolHeaders },
    );
    const final = await stream.finalResponse();
    const call = final.output.find((o) => o.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    expect(JSON.parse(call.arguments)).toEqual(toolArgs);
    const s = await span();
    expect(s.toolCalls).toEqual([{ id: call.call_id, name: 'get_weather', arguments: call.arguments }]);
  });

  it('embeddings: input count, prompt tokens and cost; no completion tokens', async () => {
    const span = nextSpan();
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['first text', 'second text', 'third'],
    });
    expect(res.data).toHaveLength(3);
    expect(res.data[0]?.embedding.length).toBe(8);
    const s = await span();
    expect(s.operation).toBe('embedding');
    expect(s.params?.inputs).toBe(3);
    expect(s.promptTokens).toBe(res.usage.prompt_tokens);
    expect(s.completionTokens).toBe(0);
    expect(s.costUsd).toBeCloseTo((res.usage.prompt_tokens * 0.02) / 1e6, 12);
  });

  it('models listing passes through without becoming a span', async () => {
    const before = proxy.spans.length;
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const span = nextSpan();
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'after models' }],
    });
    const s = await span();
    expect(proxy.spans.length).toBe(before + 1);
    expect(s.operation).toBe('chat');
  });
});
