import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openaiChat } from '../src/providers/openai-chat.js';
import { startProxy, type TestProxy } from './helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A raw upstream whose every byte the test controls. */
async function rawUpstream(
  handler: Handler,
): Promise<{ url: string; server: Server; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      seen.push(req);
      handler(req, res, Buffer.concat(parts));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Which server runs the gateway in the tests below (both are covered). */
let kind: 'node' | 'hono' = 'node';

async function setup(
  handler: Handler,
  opts: Parameters<typeof startProxy>[0] extends infer O ? Partial<O> : never = {},
) {
  const up = await rawUpstream(handler);
  const proxy: TestProxy = await startProxy({ upstreamUrl: up.url, server: kind, ...opts });
  cleanups.push(
    () => new Promise<void>((r) => up.server.close(() => r())),
    () => up.server.closeAllConnections(),
    () => proxy.close(),
  );
  return { up, proxy };
}

const CHAT = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });

/** An upstream answering gzip bytes as JSON, and what a client accepting gzip got through the proxy. */
async function gzipRoundTrip(gz: Buffer) {
  const { proxy } = await setup((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': gz.length,
    });
    res.end(gz);
  });
  const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const r = httpRequest(
      `${proxy.url}/v1/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
      },
    );
    r.on('error', reject);
    r.end(CHAT);
  });
  return { proxy, raw };
}

// Every test runs twice: on Node's own request/response objects (how the app serves) and through
// the Hono app with web Request/Response (how the gateway embeds in other servers).
describe.each(['node', 'hono'] as const)('served by %s', (server) => {
  beforeAll(() => {
    kind = server;
  });

  describe('transparent forwarding', () => {
    it('passes a non-streaming body byte-identical, with status and end-to-end headers', async () => {
      // Odd spacing and key order on purpose: the proxy must not re-serialise.
      const body = Buffer.from(
        '{"id":"x1",  "object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"héllo 👋"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n',
      );
      const { proxy, up } = await setup((_req, res) => {
        // x-hop is hop-by-hop because Connection names it; it must not reach the client.
        res.writeHead(201, {
          'content-type': 'application/json',
          'x-request-id': 'req_abc',
          'openai-processing-ms': '12',
          connection: 'keep-alive, x-hop',
          'x-hop': 'secret',
          'content-length': body.length,
        });
        res.end(body);
      });
      const res = await fetch(`${proxy.url}/v1/chat/completions?api-version=1`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer sk-abc',
          'x-llmtrace-tenant-id': 'acme',
          'x-custom': '1',
        },
        body: CHAT,
      });
      const got = Buffer.from(await res.arrayBuffer());
      expect(res.status).toBe(201);
      expect(got.equals(body)).toBe(true);
      expect(res.headers.get('x-request-id')).toBe('req_abc');
      expect(res.headers.get('openai-processing-ms')).toBe('12');
      expect(res.headers.get('x-hop')).toBeNull();
      const seen = up.seen[0]!;
      expect(seen.url).toBe('/v1/chat/completions?api-version=1');
      expect(seen.headers.authorization).toBe('Bearer sk-abc');
      expect(seen.headers['x-custom']).toBe('1');
      expect(seen.headers['x-llmtrace-tenant-id']).toBeUndefined();
      const [span] = await proxy.waitForSpans(1);
      expect(span!.tenantId).toBe('acme');
      expect(span!.response).toBe('héllo 👋');
      expect(span!.promptTokens).toBe(3);
    });

    it('forwards unknown paths and methods and records them as operation other', async () => {
      const { proxy, up } = await setup((req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${req.method} ${req.url}`);
      });
      const res = await fetch(`${proxy.url}/v1/files/abc`, { method: 'DELETE' });
      expect(await res.text()).toBe('DELETE /v1/files/abc');
      expect(up.seen).toHaveLength(1);
      const [span] = await proxy.waitForSpans(1);
      expect(span!.operation).toBe('other');
      expect(span!.method).toBe('DELETE');
    });

    it('passes a gzip bomb through untouched, without decoding it past the limit', async () => {
      // 64 KiB on the wire, 64 MiB once decoded: the span notes it instead of the proxy inflating it.
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
      const { proxy, raw } = await gzipRoundTrip(bomb);
      expect(raw.body.equals(bomb)).toBe(true);
      const [span] = await proxy.waitForSpans(1);
      expect(span!.status).toBe('ok');
      expect(span!.error).toMatch(/decodes \(gzip\) to more than 32 MiB; not parsed/);
      expect(span!.response ?? '').toBe('');
    });

    it('parses a gzip-compressed upstream answer for tracing while the client gets the compressed bytes', async () => {
      const json = JSON.stringify({
        id: 'c',
        object: 'chat.completion',
        model: 'gpt-4o',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'compressed answer' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 },
      });
      const gz = gzipSync(json);
      const { proxy, raw } = await gzipRoundTrip(gz);
      expect(raw.headers['content-encoding']).toBe('gzip');
      expect(raw.body.equals(gz)).toBe(true);
      const [span] = await proxy.waitForSpans(1);
      expect(span!.response).toBe('compressed answer');
      expect(span!.totalTokens).toBe(6);
    });

    it("reads a stream's request while the upstream works on the answer, not at its first byte", async () => {
      const parse = vi.spyOn(openaiChat, 'parseRequest');
      cleanups.push(() => parse.mockRestore());
      // Answers once the proxy has read the request, or after 1 s; says which came first.
      const readFirst: boolean[] = [];
      const { proxy } = await setup(async (_req, res) => {
        const until = Date.now() + 1000;
        while (parse.mock.calls.length === 0 && Date.now() < until)
          await new Promise((r) => setTimeout(r, 5));
        readFirst.push(parse.mock.calls.length > 0);
        if (res.destroyed) return;
        const stream = _req.headers['x-test-stream'] === '1';
        res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
        res.end(
          stream
            ? 'data: {"id":"s","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
            : '{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}',
        );
      });
      const call = async (stream: boolean) => {
        parse.mockClear();
        const res = await fetch(`${proxy.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-test-stream': stream ? '1' : '0' },
          body: JSON.stringify({
            model: 'gpt-4o',
            ...(stream ? { stream } : {}),
            messages: [{ role: 'user', content: 'go' }],
          }),
        });
        expect(await res.text()).toContain('hi');
      };
      await call(true);
      // A call that does not ask for a stream keeps its parse for the span's batch, off the request path.
      await call(false);
      expect(readFirst).toEqual([true, false]);
      const spans = await proxy.waitForSpans(2);
      expect(spans.map((s) => [s.stream, s.response])).toEqual([
        [true, 'hi'],
        [false, 'hi'],
      ]);
    });

    it('delivers the first SSE chunk while the upstream is still sending', async () => {
      let upstreamDone = 0;
      const { proxy } = await setup((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(
          'data: {"id":"s","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"first"},"finish_reason":null}]}\n\n',
        );
        setTimeout(() => {
          res.write(
            'data: {"id":"s","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":" second"},"finish_reason":"stop"}]}\n\n',
          );
          res.end('data: [DONE]\n\n');
          upstreamDone = Date.now();
        }, 400);
      });
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'go' }] }),
      });
      const reader = res.body!.getReader();
      const first = await reader.read();
      const firstAt = Date.now();
      expect(new TextDecoder().decode(first.value)).toContain('"first"');
      expect(upstreamDone).toBe(0); // the upstream has not finished yet
      let rest = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        rest += new TextDecoder().decode(value);
      }
      expect(upstreamDone - firstAt).toBeGreaterThan(200);
      expect(rest).toContain('[DONE]');
      const [span] = await proxy.waitForSpans(1);
      expect(span!.response).toBe('first second');
      expect(span!.ttftMs!).toBeLessThan(200);
      expect(span!.durationMs).toBeGreaterThanOrEqual(390);
    });

    it('forwards a malformed JSON body untouched and records that it could not be parsed', async () => {
      const broken = '{"model": "gpt-4o", "messages": [';
      const { proxy, up } = await setup((_req, res, body) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { message: `bad json: ${body.toString()}`, type: 'invalid_request_error' },
          }),
        );
      });
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: broken,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        `bad json: ${broken}`,
      );
      expect(up.seen).toHaveLength(1);
      const [span] = await proxy.waitForSpans(1);
      expect(span!.error).toContain('not valid JSON');
      expect(span!.statusCode).toBe(400);
    });
  });

  describe('request policies and the request body', () => {
    const answer: Handler = (_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          model: 'gpt-4o',
          choices: [{ index: 0, message: { role: 'assistant', content: `echo ${body.length}` } }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        }),
      );
    };

    it('with a policy that reads nothing, the body goes through untouched and the span still has the request', async () => {
      const bodies: string[] = [];
      const { proxy } = await setup(
        (req, res, body) => {
          bodies.push(body.toString());
          answer(req, res, body);
        },
        { policies: [{ name: 'header-only', check: () => ({ responseHeaders: { 'x-seen': 'yes' } }) }] },
      );
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: CHAT,
      });
      expect(res.headers.get('x-seen')).toBe('yes');
      await res.text();
      expect(bodies).toEqual([CHAT]);
      const [span] = await proxy.waitForSpans(1);
      expect(span!.model).toBe('gpt-4o');
      expect(span!.prompt).toEqual([{ role: 'user', content: 'hello' }]);
      expect(span!.error).toBeUndefined();
    });

    it('a policy reads the parsed request, and one that replaces the body changes what is forwarded', async () => {
      const bodies: string[] = [];
      const seenModels: Array<string | undefined> = [];
      const { proxy } = await setup(
        (req, res, body) => {
          bodies.push(body.toString());
          answer(req, res, body);
        },
        {
          policies: [
            {
              name: 'reader',
              check: (c) => {
                seenModels.push(c.request?.model);
                return undefined;
              },
            },
            {
              name: 'rewriter',
              check: (c) => {
                const b = c.body as { messages: Array<{ role: string; content: string }> };
                c.body = { ...b, model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'bye' }] };
                return { bodyChanged: true };
              },
            },
          ],
        },
      );
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: CHAT,
      });
      await res.text();
      expect(seenModels).toEqual(['gpt-4o']);
      expect(JSON.parse(bodies[0]!)).toEqual({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'bye' }],
      });
      const [span] = await proxy.waitForSpans(1);
      expect(span!.model).toBe('gpt-4o-mini');
      expect(span!.prompt).toEqual([{ role: 'user', content: 'bye' }]);
    });
  });

  describe('client disconnects', () => {
    it('a client that goes away mid-stream makes the proxy abort the upstream request', async () => {
      let upstreamClosedAt = 0;
      let finishedNormally = false;
      const { proxy } = await setup((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        let i = 0;
        const timer = setInterval(() => {
          if (++i > 40) {
            clearInterval(timer);
            finishedNormally = true;
            res.end('data: [DONE]\n\n');
            return;
          }
          res.write(`data: {"choices":[{"index":0,"delta":{"content":"tok${i} "}}]}\n\n`);
        }, 50);
        res.on('close', () => {
          clearInterval(timer);
          upstreamClosedAt = Date.now();
        });
      });
      const controller = new AbortController();
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'go' }] }),
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      const abortedAt = Date.now();
      controller.abort();
      const [span] = await proxy.waitForSpans(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(finishedNormally).toBe(false);
      expect(upstreamClosedAt).toBeGreaterThan(0);
      expect(upstreamClosedAt - abortedAt).toBeLessThan(500);
      expect(span!.status).toBe('cancelled');
      expect(proxy.gateway.inFlight()).toBe(0);
    });
  });

  describe("the proxy's own errors", () => {
    it('413 with an OpenAI-shaped error when the body exceeds max_request_body_bytes; upstream never called', async () => {
      const { proxy, up } = await setup((_req, res) => res.end('{}'), { maxRequestBodyBytes: 1024 });
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }),
      });
      expect(res.status).toBe(413);
      const body = (await res.json()) as { error: { type: string; code: string; message: string } };
      expect(body.error.code).toBe('payload_too_large');
      expect(body.error.type).toBe('invalid_request_error');
      expect(up.seen).toHaveLength(0);
      const [span] = await proxy.waitForSpans(1);
      expect(span!.statusCode).toBe(413);
    });

    it('502 when the upstream is unreachable', async () => {
      const dead = await rawUpstream(() => {});
      const url = dead.url;
      await new Promise<void>((r) => dead.server.close(() => r()));
      const proxy = await startProxy({ upstreamUrl: url, server: kind });
      cleanups.push(() => proxy.close());
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        body: CHAT,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('upstream_unreachable');
      const [span] = await proxy.waitForSpans(1);
      expect(span!.status).toBe('error');
      expect(span!.statusCode).toBe(502);
      expect(span!.model).toBe('gpt-4o');
    });

    it('504 when the upstream does not answer in time', async () => {
      const { proxy } = await setup(() => {}, { upstream: { headersTimeoutMs: 150 } });
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        body: CHAT,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(504);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
    });

    it('400 for a malformed tenant header, never stored', async () => {
      const { proxy, up } = await setup((_req, res) => res.end('{}'));
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        body: CHAT,
        headers: { 'x-llmtrace-tenant-id': 'bad tenant/../' },
      });
      expect(res.status).toBe(400);
      expect(up.seen).toHaveLength(0);
    });

    it('a sink that throws never fails the request', async () => {
      const { proxy } = await setup(
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"choices":[]}');
        },
        {
          sink: {
            record: () => {
              throw new Error('disk full');
            },
          },
        },
      );
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        body: CHAT,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('{"choices":[]}');
    });
  });
});
