import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream } from '../src/index.js';
import { startMockUpstream, startProxy, type TestProxy } from './helpers.js';

let upstream: MockUpstream;
let proxy: TestProxy;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url });
  client = new OpenAI({ apiKey: 'sk-test-key-123', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

async function nextSpan() {
  const before = proxy.spans.length;
  await proxy.waitForSpans(before + 1);
  return proxy.spans[before]!;
}

describe('the real openai SDK through the proxy', () => {
  it('non-streaming chat: the client gets the upstream answer and the span has upstream usage', async () => {
    const before = proxy.spans.length;
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
      temperature: 0.2,
    });
    expect(res.choices[0]?.message.content).toContain('capital of France');
    await proxy.waitForSpans(before + 1);
    const span = proxy.spans[before]!;
    expect(span.operation).toBe('chat');
    expect(span.provider).toBe('openai');
    expect(span.model).toBe('gpt-4o-mini');
    expect(span.stream).toBe(false);
    expect(span.statusCode).toBe(200);
    expect(span.status).toBe('ok');
    expect(span.usageSource).toBe('upstream');
    expect(span.promptTokens).toBe(res.usage?.prompt_tokens);
    expect(span.completionTokens).toBe(res.usage?.completion_tokens);
    expect(span.totalTokens).toBe(res.usage?.total_tokens);
    expect(span.prompt.map((m) => m.role)).toEqual(['system', 'user']);
    expect(span.response).toBe(res.choices[0]?.message.content);
    expect(span.durationMs).toBeGreaterThanOrEqual(0);
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('the raw API key never appears in the span; the tenant is a keyed hash of it', async () => {
    const spanPromise = nextSpan();
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const span = await spanPromise;
    expect(JSON.stringify(span)).not.toContain('sk-test-key-123');
    expect(span.tenantId).toMatch(/^key-[0-9a-f]{24}$/);
    expect(upstream.received.at(-1)?.headers.authorization).toBe('Bearer sk-test-key-123');
  });

  it('streaming without include_usage: every chunk arrives, usage is estimated, TTFT recorded', async () => {
    const before = proxy.spans.length;
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Tell me a short story about a lighthouse.' }],
      stream: true,
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(chunks).toBeGreaterThan(5);
    expect(text).toContain('lighthouse');
    await proxy.waitForSpans(before + 1);
    const span = proxy.spans[before]!;
    expect(span.stream).toBe(true);
    expect(span.response).toBe(text);
    expect(span.usageSource).toBe('estimated');
    expect(span.completionTokens).toBeGreaterThan(0);
    expect(span.promptTokens).toBeGreaterThan(0);
    expect(span.ttftMs).toBeTypeOf('number');
    expect(span.ttftMs!).toBeLessThanOrEqual(span.durationMs);
  });

  it('streaming with stream_options.include_usage: usage comes from the upstream chunk', async () => {
    const before = proxy.spans.length;
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count to five.' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.total_tokens).toBeGreaterThan(0);
    await proxy.waitForSpans(before + 1);
    const span = proxy.spans[before]!;
    expect(span.usageSource).toBe('upstream');
    expect(span.promptTokens).toBe(usage?.prompt_tokens);
    expect(span.completionTokens).toBe(usage?.completion_tokens);
  });

  it('legacy completions are understood', async () => {
    const before = proxy.spans.length;
    const res = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hello' });
    expect(res.choices[0]?.text).toContain('Say hello');
    await proxy.waitForSpans(before + 1);
    const span = proxy.spans[before]!;
    expect(span.operation).toBe('completion');
    expect(span.prompt[0]?.content).toBe('Say hello');
    expect(span.usageSource).toBe('upstream');
  });

  it.each([429, 500])(
    'an upstream %i reaches the client unchanged and the span keeps the error body',
    async (status) => {
      const before = proxy.spans.length;
      const err = await client.chat.completions
        .create(
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
          { headers: { 'x-mock-status': String(status) } },
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
      expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain(
        `mock upstream error ${status}`,
      );
      await proxy.waitForSpans(before + 1);
      const span = proxy.spans[before]!;
      expect(span.statusCode).toBe(status);
      expect(span.status).toBe('error');
      expect(span.error).toContain(`mock upstream error ${status}`);
    },
  );

  it('a client abort mid-stream aborts the upstream request and records the span as cancelled', async () => {
    const before = proxy.spans.length;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a long answer please' }], stream: true },
      { signal: controller.signal, headers: { 'x-mock-chunk-delay-ms': '50' } },
    );
    let seen = 0;
    try {
      for await (const _ of stream) {
        seen++;
        if (seen === 2) controller.abort();
      }
    } catch {
      // the SDK may end the iterator or throw an abort error; either is fine here
    }
    expect(seen).toBeGreaterThanOrEqual(2);
    await proxy.waitForSpans(before + 1);
    const span = proxy.spans[before]!;
    expect(span.status).toBe('cancelled');
    expect(span.stream).toBe(true);
    // The proxy stopped reading: the span holds only what arrived before the abort.
    expect(span.response.length).toBeLessThan(60);
    expect(proxy.gateway.inFlight()).toBe(0);
  });
});
