import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Span } from '@llmtrace/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtlpExporter } from '../src/otel/index.js';

interface OtlpAttr {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttr[];
  events?: Array<{ name: string; attributes: OtlpAttr[] }>;
  status?: { code?: number };
}

/** A local OTLP/HTTP receiver that decodes JSON export requests. */
async function startReceiver() {
  const requests: Array<{
    headers: Record<string, unknown>;
    body: {
      resourceSpans: Array<{
        resource: { attributes: OtlpAttr[] };
        scopeSpans: Array<{ spans: OtlpSpan[] }>;
      }>;
    };
  }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  const spans = () =>
    requests.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)));
  return { url, requests, spans, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function attr(span: OtlpSpan, key: string): unknown {
  const v = span.attributes.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  if ('arrayValue' in v)
    return (v.arrayValue as { values: Array<Record<string, unknown>> }).values.map(
      (x) => Object.values(x)[0],
    );
  const raw = Object.values(v)[0];
  return 'intValue' in v ? Number(raw) : raw;
}

const base: Span = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  tenantId: 'acme',
  agentId: 'planner',
  sessionId: 'conv-1',
  operation: 'chat',
  provider: 'openai',
  model: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  startTime: 1_700_000_000_123,
  endTime: 1_700_000_001_456,
  durationMs: 1333,
  ttftMs: 250,
  stream: true,
  statusCode: 200,
  status: 'ok',
  promptTokens: 42,
  completionTokens: 7,
  totalTokens: 49,
  usageSource: 'upstream',
  costUsd: 0.0001,
  securityScore: 80,
  findings: [
    { type: 'pii.email', severity: 'medium', confidence: 0.9, detector: 'pii', message: 'email address' },
  ],
  prompt: [{ role: 'user', content: 'mail bob@example.com' }],
  response: 'sure',
  toolCalls: [{ id: 'call_1', name: 'send_mail', arguments: '{"to":"bob"}' }],
  finishReason: 'tool_calls',
  params: { temperature: 0.2, max_tokens: 100 },
  tags: {},
};

describe('OTLP export', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('exports spans with GenAI attributes, original ids and times, and no content by default', async () => {
    const otlp = createOtlpExporter({
      url: receiver.url,
      headers: { authorization: 'Bearer collector-token' },
      serviceName: 'edge-proxy',
    });
    otlp.onSpan(base);
    otlp.onSpan({
      ...base,
      spanId: '00f067aa0ba902b7',
      parentSpanId: base.spanId,
      statusCode: 500,
      status: 'error',
      findings: [],
    });
    await otlp.shutdown();

    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer collector-token');
    const resource = receiver.requests[0]?.body.resourceSpans[0]?.resource.attributes ?? [];
    expect(resource.find((a) => a.key === 'service.name')?.value).toEqual({ stringValue: 'edge-proxy' });
    const spans = receiver.spans();
    expect(spans).toHaveLength(2);
    const s = spans.find((x) => x.spanId === base.spanId)!;
    expect(s.traceId).toBe(base.traceId);
    expect(s.parentSpanId ?? '').toBe('');
    expect(s.name).toBe('chat gpt-4o-mini');
    expect(s.kind).toBe(3); // SPAN_KIND_CLIENT
    expect(s.startTimeUnixNano).toBe('1700000000123000000');
    expect(s.endTimeUnixNano).toBe('1700000001456000000');
    expect(attr(s, 'gen_ai.operation.name')).toBe('chat');
    expect(attr(s, 'gen_ai.provider.name')).toBe('openai');
    expect(attr(s, 'gen_ai.request.model')).toBe('gpt-4o-mini');
    expect(attr(s, 'gen_ai.response.model')).toBe('gpt-4o-mini-2024-07-18');
    expect(attr(s, 'gen_ai.usage.input_tokens')).toBe(42);
    expect(attr(s, 'gen_ai.usage.output_tokens')).toBe(7);
    expect(attr(s, 'gen_ai.response.finish_reasons')).toEqual(['tool_calls']);
    expect(attr(s, 'gen_ai.response.time_to_first_chunk')).toBe(0.25);
    expect(attr(s, 'gen_ai.conversation.id')).toBe('conv-1');
    expect(attr(s, 'gen_ai.request.temperature')).toBe(0.2);
    expect(attr(s, 'gen_ai.input.messages')).toBeUndefined();
    expect(JSON.stringify(receiver.requests)).not.toContain('bob@example.com');
    expect(s.events?.[0]?.name).toBe('llmtrace.security.finding');

    const child = spans.find((x) => x.spanId === '00f067aa0ba902b7')!;
    expect(child.traceId).toBe(base.traceId);
    expect(child.parentSpanId).toBe(base.spanId);
    expect(child.status?.code).toBe(2); // STATUS_CODE_ERROR
    expect(attr(child, 'error.type')).toBe('error');
  });

  it('sends prompt and response content only when opted in', async () => {
    const otlp = createOtlpExporter({ url: receiver.url, includeContent: true });
    otlp.onSpan(base);
    await otlp.forceFlush();
    const s = receiver.spans()[0]!;
    expect(JSON.parse(attr(s, 'gen_ai.input.messages') as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'mail bob@example.com' }] },
    ]);
    const out = JSON.parse(attr(s, 'gen_ai.output.messages') as string);
    expect(out[0].parts).toEqual([
      { type: 'text', content: 'sure' },
      { type: 'tool_call', id: 'call_1', name: 'send_mail', arguments: '{"to":"bob"}' },
    ]);
    await otlp.shutdown();
  });

  it('maps non-hex ids to valid OTel ids and keeps the originals as attributes', async () => {
    const otlp = createOtlpExporter({ url: receiver.url });
    otlp.onSpan({ ...base, traceId: 'trace-abc', spanId: 'span-1' });
    await otlp.shutdown();
    const s = receiver.spans()[0]!;
    expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(attr(s, 'llmtrace.trace_id')).toBe('trace-abc');
  });

  it('never throws when the collector is down', async () => {
    await receiver.close();
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (msg: string) => void warnings.push(msg) };
    const otlp = createOtlpExporter({ url: receiver.url, timeoutMs: 500, logger });
    expect(() => otlp.onSpan(base)).not.toThrow();
    await otlp.shutdown();
    expect(warnings).toEqual(['otlp export failed at shutdown']);
    receiver = await startReceiver();
  });
});
