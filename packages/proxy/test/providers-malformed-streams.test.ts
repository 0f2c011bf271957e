import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Span } from '@llmtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPricing } from '../src/index.js';
import { startProxy, type TestProxy } from './helpers.js';

/** A scripted upstream: each script is a list of raw byte writes, sent as separate TCP chunks. */
const scripts = new Map<string, Buffer[]>();
let upstream: Server;
let upstreamUrl: string;
let proxy: TestProxy;

const chunk = (content: string, extra = '') =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]${extra}}\n\n`;
const usageChunk =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}\n\n';

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      const writes = scripts.get(String(req.headers['x-script'])) ?? [];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      for (const w of writes) {
        if (w.length === 0) {
          // An empty write means: drop the connection here.
          res.destroy();
          return;
        }
        res.write(w);
        // Let each write leave as its own TCP segment.
        await new Promise((r) => setTimeout(r, 15));
      }
      res.end();
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  proxy = await startProxy({ upstreamUrl, pricing: createPricing() });
});
afterAll(async () => {
  await proxy.close();
  await new Promise<void>((r) => {
    upstream.close(() => r());
    upstream.closeAllConnections();
  });
});

async function run(
  name: string,
  writes: Array<string | Buffer>,
): Promise<{ body: Buffer; sent: Buffer; span: Span }> {
  const buffers = writes.map((w) => (typeof w === 'string' ? Buffer.from(w, 'utf8') : w));
  scripts.set(name, buffers);
  const before = proxy.spans.length;
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', 'x-script': name },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const parts: Buffer[] = [];
  const reader = res.body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(Buffer.from(value));
    }
  } catch {
    // A dropped upstream connection surfaces as a body error; what arrived before it is compared.
  }
  const body = Buffer.concat(parts);
  const span = (await proxy.waitForSpans(before + 1))[before]!;
  return { body, sent: Buffer.concat(buffers), span };
}

describe('malformed upstream streams', () => {
  it('truncated JSON in one event: the client gets the exact bytes, the span keeps the good events', async () => {
    const { body, sent, span } = await run('truncated', [
      chunk('Hello'),
      'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"lost\n\n',
      chunk(' world'),
      usageChunk,
      'data: [DONE]\n\n',
    ]);
    expect(body.equals(sent)).toBe(true);
    expect(span.response).toBe('Hello world');
    expect(span.usageSource).toBe('upstream');
    expect(span.totalTokens).toBe(18);
  });

  it('an event split across TCP chunks is parsed once, whole', async () => {
    const whole = chunk('split-event');
    const { body, sent, span } = await run('split', [
      whole.slice(0, 25),
      whole.slice(25, 60),
      whole.slice(60),
      usageChunk,
      'data: [DONE]\n\n',
    ]);
    expect(body.equals(sent)).toBe(true);
    expect(span.response).toBe('split-event');
    expect(span.ttftMs).toBeDefined();
  });

  it('a multi-byte character split across chunks, and an invalid byte, pass through unchanged', async () => {
    const emoji = Buffer.from(chunk('caf\u00e9 \u{1F600}'), 'utf8');
    const cut = emoji.indexOf(Buffer.from('\u{1F600}', 'utf8')) + 2;
    const invalid = Buffer.concat([
      Buffer.from('data: {"id":"c1","choices":[{"index":0,"delta":{"content":"bad '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}]}\n\n'),
    ]);
    const { body, sent, span } = await run('utf8', [
      emoji.subarray(0, cut),
      emoji.subarray(cut),
      invalid,
      'data: [DONE]\n\n',
    ]);
    expect(body.equals(sent)).toBe(true);
    expect(span.response.startsWith('caf\u00e9 \u{1F600}')).toBe(true);
  });

  it('a stream that ends without [DONE] still becomes a span with what arrived', async () => {
    const { body, sent, span } = await run('no-done', [chunk('no '), chunk('terminator')]);
    expect(body.equals(sent)).toBe(true);
    expect(span.response).toBe('no terminator');
    expect(span.usageSource).toBe('estimated');
  });

  it('an upstream that drops the connection mid-stream does not take the proxy down', async () => {
    const { body, span } = await run('dropped', [chunk('partial '), Buffer.alloc(0)]);
    expect(body.toString('utf8')).toContain('partial ');
    expect(span.response).toBe('partial ');
    const next = await run('after-drop', [chunk('still alive'), 'data: [DONE]\n\n']);
    expect(next.body.equals(next.sent)).toBe(true);
    expect(next.span.response).toBe('still alive');
  });
});
