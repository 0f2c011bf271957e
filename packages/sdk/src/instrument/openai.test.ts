import type { Span } from '@llmtrace/core';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createMemoryExporter } from '../exporters/memory.js';
import { createTracer } from '../tracer.js';
import { instrument } from './openai.js';

const usage = {
  prompt_tokens: 12,
  completion_tokens: 3,
  total_tokens: 15,
  prompt_tokens_details: { cached_tokens: 4 },
};

function sse(events: unknown[], gapMs = 0): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    async start(controller) {
      for (const e of events) {
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
        controller.enqueue(enc.encode(`data: ${JSON.stringify(e)}\n\n`));
      }
      controller.enqueue(enc.encode('data: [DONE]\n\n'));
      controller.close();
    },
  });
}

function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-2024',
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  };
}

/** A fake OpenAI API behind the real `openai` client's `fetch` hook. */
const fakeFetch: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const body = JSON.parse(String(init?.body ?? '{}'));
  const json = (status: number, data: unknown) =>
    new Response(JSON.stringify(data), { status, headers: { 'content-type': 'application/json' } });
  if (body.model === 'broken')
    return json(429, { error: { message: 'Rate limit reached', type: 'rate_limit_error', code: null } });
  if (url.endsWith('/chat/completions') && body.stream) {
    const events = [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo!' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }),
      { ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      { ...chunk({}), choices: [], usage },
    ];
    return new Response(sse(events, 5), { headers: { 'content-type': 'text/event-stream' } });
  }
  if (url.endsWith('/chat/completions')) {
    return json(200, {
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-2024',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
      usage,
    });
  }
  if (url.endsWith('/embeddings')) {
    return json(200, {
      object: 'list',
      model: body.model,
      data: [
        { embedding: [0.1], index: 0 },
        { embedding: [0.2], index: 1 },
      ],
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
  }
  if (url.endsWith('/responses')) {
    const response = {
      id: 'resp_1',
      object: 'response',
      model: 'gpt-4.1-2025',
      status: 'completed',
      output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Paris.' }] }],
      usage: {
        input_tokens: 20,
        output_tokens: 2,
        total_tokens: 22,
        output_tokens_details: { reasoning_tokens: 1 },
      },
    };
    if (!body.stream) return json(200, response);
    return new Response(
      sse([
        { type: 'response.created', response: { ...response, status: 'in_progress', output: [] } },
        { type: 'response.output_text.delta', delta: 'Par' },
        { type: 'response.output_text.delta', delta: 'is.' },
        { type: 'response.completed', response },
      ]),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  }
  return json(404, { error: { message: 'nope' } });
};

function setup() {
  const exporter = createMemoryExporter();
  const tracer = createTracer({ exporter });
  const raw = new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'http://fake.test/v1',
    fetch: fakeFetch,
    maxRetries: 0,
  });
  const client = instrument(raw, { tracer });
  return { exporter, tracer, raw, client, spans: exporter.spans as Span[] };
}

const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Say hello' },
];

describe('instrument(openai)', () => {
  it('keeps the client type and leaves the client itself untouched', () => {
    const { raw, client } = setup();
    expectTypeOf(client).toEqualTypeOf<OpenAI>();
    expect(raw.chat.completions.create).not.toBe(client.chat.completions.create);
    expect(client.chat).toBe(client.chat);
    expect(client.models).toBe(raw.models);
  });

  it('records a chat completion: prompt, response, usage, models, params', async () => {
    const { client, spans } = setup();
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages, temperature: 0.2 });
    expectTypeOf(r).toEqualTypeOf<ChatCompletion & { _request_id?: string | null }>();
    expect(r.choices[0]?.message.content).toBe('Hello!');
    await Promise.resolve();
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      operation: 'chat',
      provider: 'openai',
      model: 'gpt-4o',
      responseModel: 'gpt-4o-2024',
      stream: false,
      prompt: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      response: 'Hello!',
      finishReason: 'stop',
      promptTokens: 12,
      completionTokens: 3,
      totalTokens: 15,
      cachedTokens: 4,
      usageSource: 'upstream',
      params: { temperature: 0.2 },
      status: 'ok',
    });
  });

  it('passes a stream through chunk for chunk while recording TTFT, text, tool calls and usage', async () => {
    const { client, raw, spans } = setup();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const seen: ChatCompletionChunk[] = [];
    for await (const c of stream) seen.push(c);
    // Same chunks as an uninstrumented client gets.
    const plain: ChatCompletionChunk[] = [];
    for await (const c of await raw.chat.completions.create({ model: 'gpt-4o', messages, stream: true }))
      plain.push(c);
    expect(seen).toEqual(plain);
    expect(seen).toHaveLength(7);

    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span).toMatchObject({
      stream: true,
      response: 'Hello!',
      toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }],
      finishReason: 'tool_calls',
      promptTokens: 12,
      completionTokens: 3,
      responseModel: 'gpt-4o-2024',
      status: 'ok',
    });
    // The first content chunk came after the first (empty) one, each 5 ms apart.
    expect(span.ttftMs).toBeGreaterThan(0);
    expect(span.ttftMs).toBeLessThan(span.durationMs);
  });

  it('marks a stream the caller abandons as cancelled', async () => {
    const { client, spans } = setup();
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    for await (const c of stream) {
      if (c.choices[0]?.delta.content === 'Hel') break;
    }
    expect(spans[0]).toMatchObject({ status: 'cancelled', response: 'Hel' });
  });

  it('records API errors with their status and rethrows them unchanged', async () => {
    const { client, spans } = setup();
    const err = await client.chat.completions.create({ model: 'broken', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    await Promise.resolve();
    expect(spans[0]).toMatchObject({ status: 'error', statusCode: 429, model: 'broken' });
    expect(spans[0]?.error).toContain('Rate limit reached');
  });

  it('keeps withResponse() and asResponse() working', async () => {
    const { client, spans } = setup();
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello!');
    expect(response.status).toBe(200);
    const rawResponse = await client.chat.completions.create({ model: 'gpt-4o', messages }).asResponse();
    // The body was not consumed by the instrumentation.
    expect(((await rawResponse.json()) as ChatCompletion).choices[0]?.message.content).toBe('Hello!');
    await new Promise((r) => setTimeout(r, 0));
    expect(spans.map((s) => [s.response, s.statusCode])).toEqual([
      ['Hello!', 200],
      ['', 200],
    ]);
  });

  it('records embeddings and the Responses API, streaming and not', async () => {
    const { client, spans } = setup();
    await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    const r = await client.responses.create({
      model: 'gpt-4.1',
      instructions: 'Answer in one word.',
      input: 'Capital of France?',
    });
    expect(r.output_text).toBe('Paris.');
    const stream = await client.responses.create({
      model: 'gpt-4.1',
      input: 'Capital of France?',
      stream: true,
    });
    for await (const _ of stream) {
      // consume
    }
    await new Promise((res) => setTimeout(res, 0));
    const [emb, resp, streamed] = spans as [Span, Span, Span];
    expect(emb).toMatchObject({
      operation: 'embedding',
      promptTokens: 7,
      totalTokens: 7,
      prompt: [{ content: 'a' }, { content: 'b' }],
    });
    expect(emb.tags['embedding.count']).toBe('2');
    expect(resp).toMatchObject({
      operation: 'responses',
      prompt: [
        { role: 'system', content: 'Answer in one word.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      response: 'Paris.',
      promptTokens: 20,
      completionTokens: 2,
      reasoningTokens: 1,
      responseModel: 'gpt-4.1-2025',
    });
    expect(streamed).toMatchObject({
      operation: 'responses',
      stream: true,
      response: 'Paris.',
      promptTokens: 20,
    });
    expect(streamed.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it('nests calls made inside an agent step under that step', async () => {
    const { client, tracer, spans } = setup();
    await tracer.trace('agent_step', async () => {
      await client.chat.completions.create({ model: 'gpt-4o', messages });
    });
    const [call, step] = spans as [Span, Span];
    expect(call.parentSpanId).toBe(step.spanId);
    expect(call.traceId).toBe(step.traceId);
  });

  it('can leave prompt and response text out', async () => {
    const exporter = createMemoryExporter();
    const raw = new OpenAI({ apiKey: 'sk', baseURL: 'http://fake.test/v1', fetch: fakeFetch });
    const client = instrument(raw, { tracer: createTracer({ exporter }), captureContent: false });
    await client.chat.completions.create({ model: 'gpt-4o', messages });
    await Promise.resolve();
    expect(exporter.spans[0]).toMatchObject({ prompt: [], response: '', promptTokens: 12 });
  });
});
