import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Span } from '@llmtrace/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTracer } from '../tracer.js';
import { createHttpExporter, ingestUrl } from './http.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  spans: Span[];
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** A real HTTP receiver answering with the given statuses in turn (then 202). */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const status = statuses.shift() ?? 202;
      if (status === 202)
        received.push({ path: req.url ?? '', headers: req.headers, spans: JSON.parse(body).spans });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('createHttpExporter', () => {
  it('builds the ingest URL from a base URL or takes a full one', () => {
    expect(ingestUrl('http://localhost:8080/')).toBe('http://localhost:8080/api/v1/spans');
    expect(ingestUrl('http://h/custom/spans')).toBe('http://h/custom/spans');
  });

  it('posts batched spans with the API key and tenant headers', async () => {
    const rx = await receiver();
    const exporter = createHttpExporter({
      endpoint: rx.url,
      apiKey: 'sk-test',
      tenantId: 'acme',
      batchSize: 2,
      flushOnExit: false,
    });
    const tracer = createTracer({ exporter });
    for (let i = 0; i < 3; i++) tracer.startSpan('chat', 'openai', `m${i}`).end();
    await tracer.shutdown();
    expect(rx.received.map((r) => r.spans.length)).toEqual([2, 1]);
    expect(rx.received[0]?.path).toBe('/api/v1/spans');
    expect(rx.received[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(rx.received[0]?.headers['x-llmtrace-tenant-id']).toBe('acme');
    expect(rx.received.flatMap((r) => r.spans.map((s) => s.model))).toEqual(['m0', 'm1', 'm2']);
  });

  it('retries 503 and 429, drops a batch the receiver rejects with 400', async () => {
    const rx = await receiver([503, 429, 202, 400]);
    const exporter = createHttpExporter({ endpoint: rx.url, retryBaseMs: 1, flushOnExit: false });
    const tracer = createTracer({ exporter });
    tracer.startSpan('chat', 'openai', 'first').end();
    await tracer.flush();
    tracer.startSpan('chat', 'openai', 'second').end();
    await tracer.flush();
    expect(rx.received.flatMap((r) => r.spans.map((s) => s.model))).toEqual(['first']);
    expect(exporter.stats()).toMatchObject({ exported: 1, failed: 1 });
  });

  it('survives an unreachable endpoint without throwing into the caller', async () => {
    const exporter = createHttpExporter({
      endpoint: 'http://127.0.0.1:1',
      retryBaseMs: 1,
      maxRetries: 1,
      flushOnExit: false,
    });
    const tracer = createTracer({ exporter });
    expect(() => tracer.startSpan('chat', 'openai', 'x').end()).not.toThrow();
    await tracer.flush();
    expect(exporter.stats()).toMatchObject({ exported: 0, failed: 1 });
  });
});
