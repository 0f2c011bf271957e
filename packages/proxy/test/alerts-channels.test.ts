import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Span } from '@llmtrace/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AlertEvent,
  type AlertEventInput,
  type AlertManager,
  createAlertManager,
  PAGERDUTY_EVENTS_URL,
  verifyWebhookSignature,
} from '../src/alerts/index.js';
import { createAnomalyDetector } from '../src/anomaly/index.js';

interface Hit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = number | 'hang';

/** A real HTTP receiver on port 0 that records each request and answers from a script. */
async function startReceiver(script: Answer[] = [], okStatus = 200) {
  const hits: Hit[] = [];
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      for (const w of waiting.splice(0)) w();
      const answer = script.shift() ?? okStatus;
      if (answer === 'hang') return; // never answer: the sender must time out
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function receiver(script?: Answer[], okStatus?: number) {
  const r = await startReceiver(script, okStatus);
  cleanup.push(r.close);
  return r;
}

function manager(options: Parameters<typeof createAlertManager>[0]): AlertManager {
  const m = createAlertManager({ retry: { attempts: 3, baseMs: 20, maxMs: 200 }, ...options });
  cleanup.push(() => m.close(1000));
  return m;
}

const injection: AlertEventInput = {
  type: 'security.finding',
  severity: 'critical',
  tenantId: 'acme',
  agentId: 'support-bot',
  model: 'gpt-4o-mini',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  title: 'prompt_injection detected in request',
  details: { findingType: 'prompt_injection', confidence: 0.97, excerpt: '[…]ignore all previous[…]' },
  dedupKey: 'security.finding:acme:prompt_injection',
};

describe('webhook channel over a real socket', () => {
  it('posts the event as JSON with a signature receivers can verify', async () => {
    const r = await receiver();
    const secret = 'whsec_live_test';
    const m = manager({
      channels: [{ type: 'webhook', url: `${r.url}/hooks/llmtrace`, secret }],
      uiBaseUrl: 'https://llmtrace.example.com/',
    });
    m.emit(injection);
    await m.flush();
    expect(r.hits).toHaveLength(1);
    const [hit] = r.hits;
    expect(hit?.method).toBe('POST');
    expect(hit?.path).toBe('/hooks/llmtrace');
    expect(hit?.headers['content-type']).toBe('application/json');
    expect(hit?.headers['x-llmtrace-event']).toBe('security.finding');
    const body = JSON.parse(hit?.body ?? '{}');
    expect(body).toMatchObject({
      type: 'security.finding',
      severity: 'critical',
      tenantId: 'acme',
      agentId: 'support-bot',
      model: 'gpt-4o-mini',
      resolved: false,
      dedupKey: 'security.finding:acme:prompt_injection',
      details: { findingType: 'prompt_injection' },
      traceUrl: 'https://llmtrace.example.com/traces/4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(hit?.headers['x-llmtrace-delivery']).toBe(body.id);
    const signature = String(hit?.headers['x-llmtrace-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, signature, hit?.body ?? '')).toBe(true);
    expect(verifyWebhookSignature('wrong-secret', signature, hit?.body ?? '')).toBe(false);
    expect(verifyWebhookSignature(secret, signature, (hit?.body ?? '').replace('acme', 'evil'))).toBe(false);
  });

  it('retries after a 500 and delivers the same event id, freshly signed', async () => {
    const r = await receiver([500, 503]);
    const m = manager({ channels: [{ type: 'webhook', url: r.url, secret: 's' }] });
    m.emit(injection);
    await m.flush();
    expect(r.hits).toHaveLength(3);
    const ids = r.hits.map((h) => JSON.parse(h.body).id);
    expect(new Set(ids).size).toBe(1);
    for (const h of r.hits)
      expect(verifyWebhookSignature('s', String(h.headers['x-llmtrace-signature']), h.body)).toBe(true);
    expect(m.stats()).toMatchObject({ sent: 1, failed: 0, retried: 2 });
  });

  it('does not retry a 4xx the receiver will keep answering, and counts the failure', async () => {
    const r = await receiver([404, 404, 404]);
    const m = manager({ channels: [{ type: 'webhook', url: r.url, secret: 's' }] });
    m.emit(injection);
    await m.flush();
    expect(r.hits).toHaveLength(1);
    expect(m.stats()).toMatchObject({ sent: 0, failed: 1, retried: 0 });
  });

  it('times out a receiver that never answers, retries, and gives up', async () => {
    const r = await receiver(['hang', 'hang', 'hang']);
    const errors: string[] = [];
    const m = manager({
      channels: [{ type: 'webhook', url: r.url, secret: 's' }],
      timeoutMs: 150,
      retry: { attempts: 2, baseMs: 10 },
      onResult: (res) => errors.push(res.error ?? 'ok'),
    });
    m.emit(injection);
    await m.flush();
    expect(r.hits).toHaveLength(2);
    expect(errors).toEqual(['webhook: timed out']);
    expect(m.stats()).toMatchObject({ sent: 0, failed: 1 });
  });

  it('sends one message per attack: repeats inside the cooldown are suppressed', async () => {
    const r = await receiver();
    let now = 1_000_000;
    const m = manager({
      channels: [{ type: 'webhook', url: r.url, secret: 's' }],
      cooldownMs: 300_000,
      now: () => now,
    });
    for (let i = 0; i < 200; i++) m.emit({ ...injection, traceId: `trace-${i}` });
    m.emit({ ...injection, tenantId: 'globex', dedupKey: 'security.finding:globex:prompt_injection' });
    await m.flush();
    expect(r.hits.map((h) => JSON.parse(h.body).tenantId)).toEqual(['acme', 'globex']);
    expect(m.stats().suppressed).toBe(199);
    now += 300_000;
    m.emit(injection);
    await m.flush();
    expect(r.hits).toHaveLength(3);
    expect(JSON.parse(r.hits[2]?.body ?? '{}').details.suppressedSinceLastAlert).toBe(199);
  });

  it('applies per-channel severity, type and tenant filters', async () => {
    const pager = await receiver();
    const audit = await receiver();
    const m = manager({
      channels: [
        {
          type: 'webhook',
          name: 'pager',
          url: pager.url,
          secret: 's',
          minSeverity: 'critical',
          eventTypes: ['security.*'],
          tenants: ['acme'],
        },
        { type: 'webhook', name: 'audit', url: audit.url, secret: 's' },
      ],
      cooldownMs: 0,
    });
    m.emit(injection);
    m.emit({ ...injection, severity: 'high' });
    m.emit({ ...injection, tenantId: 'globex' });
    m.emit({ ...injection, type: 'budget.hard_limit', dedupKey: undefined });
    await m.flush();
    expect(pager.hits).toHaveLength(1);
    expect(audit.hits).toHaveLength(4);
  });
});

describe('Slack channel over a real socket', () => {
  it('posts a readable Block Kit message with tenant, type, severity, model and a trace link', async () => {
    const r = await receiver();
    const m = manager({
      channels: [{ type: 'slack', webhookUrl: `${r.url}/services/T000/B000/XXXX` }],
      uiBaseUrl: 'https://ui.example.com',
    });
    m.emit({ ...injection, details: { ...injection.details, note: '<script>&' } });
    await m.flush();
    expect(r.hits).toHaveLength(1);
    expect(r.hits[0]?.path).toBe('/services/T000/B000/XXXX');
    const msg = JSON.parse(r.hits[0]?.body ?? '{}');
    expect(msg.text).toContain('CRITICAL');
    expect(msg.text).toContain('acme');
    const [header, facts, details, actions] = msg.blocks;
    expect(header).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(header.text.text).toContain('prompt_injection detected in request');
    const fieldText = facts.fields.map((f: { text: string }) => f.text);
    expect(fieldText).toEqual(
      expect.arrayContaining([
        '*Tenant*\nacme',
        '*Type*\nsecurity.finding',
        '*Severity*\ncritical',
        '*Model*\ngpt-4o-mini',
      ]),
    );
    expect(details.text.text).toContain('&lt;script&gt;&amp;');
    expect(actions).toMatchObject({
      type: 'actions',
      elements: [{ type: 'button', url: 'https://ui.example.com/traces/4bf92f3577b34da6a3ce929d0e0e4736' }],
    });
    expect(msg.blocks.at(-1)).toMatchObject({ type: 'context' });
  });

  it('has no trace button without a UI base URL', async () => {
    const r = await receiver();
    const m = manager({ channels: [{ type: 'slack', webhookUrl: r.url }] });
    m.emit(injection);
    await m.flush();
    const msg = JSON.parse(r.hits[0]?.body ?? '{}');
    expect(msg.blocks.some((b: { type: string }) => b.type === 'actions')).toBe(false);
  });

  it('retries when Slack answers 500', async () => {
    const r = await receiver([500]);
    const m = manager({ channels: [{ type: 'slack', webhookUrl: r.url }] });
    m.emit(injection);
    await m.flush();
    expect(r.hits).toHaveLength(2);
    expect(m.stats()).toMatchObject({ sent: 1, retried: 1 });
  });
});

describe('PagerDuty channel over a real socket', () => {
  it('defaults to the public Events v2 endpoint', () => {
    expect(PAGERDUTY_EVENTS_URL).toMatch(/^https:\/\/events\.pagerduty\.com\/v2\/enqueue$/);
  });

  it('triggers with a stable dedup_key and resolves the same incident when the condition clears', async () => {
    const r = await receiver([], 202);
    const m = manager({
      channels: [{ type: 'pagerduty', routingKey: 'R0UT1NGKEY', eventsUrl: `${r.url}/v2/enqueue` }],
      uiBaseUrl: 'https://ui.example.com',
    });
    const spike: AlertEventInput = {
      type: 'upstream.error_rate',
      severity: 'high',
      tenantId: 'acme',
      traceId: 'abc',
      title: 'Upstream error rate 80% over the last 60s (40/50 requests)',
      details: { errorRate: 0.8 },
    };
    m.emit(spike);
    await m.flush();
    m.emit({ ...spike, resolved: true, title: 'Upstream error rate back to 2%' });
    await m.flush();
    expect(r.hits.map((h) => h.path)).toEqual(['/v2/enqueue', '/v2/enqueue']);
    const [trigger, resolve] = r.hits.map((h) => JSON.parse(h.body));
    expect(trigger).toMatchObject({
      routing_key: 'R0UT1NGKEY',
      event_action: 'trigger',
      dedup_key: 'upstream.error_rate:acme',
      payload: {
        severity: 'error',
        source: 'llmtrace',
        group: 'acme',
        class: 'upstream.error_rate',
        custom_details: { tenantId: 'acme', errorRate: 0.8 },
      },
      links: [{ href: 'https://ui.example.com/traces/abc' }],
    });
    expect(trigger.payload.summary).toContain('Upstream error rate 80%');
    expect(new Date(trigger.payload.timestamp).toISOString()).toBe(trigger.payload.timestamp);
    expect(resolve).toEqual({
      routing_key: 'R0UT1NGKEY',
      event_action: 'resolve',
      dedup_key: 'upstream.error_rate:acme',
    });
  });

  it('maps critical to critical and retries a 500', async () => {
    const r = await receiver([500], 202);
    const m = manager({ channels: [{ type: 'pagerduty', routingKey: 'k', eventsUrl: r.url }] });
    m.emit(injection);
    await m.flush();
    expect(r.hits).toHaveLength(2);
    const body = JSON.parse(r.hits[1]?.body ?? '{}');
    expect(body.payload.severity).toBe('critical');
    expect(body.dedup_key).toBe('security.finding:acme:prompt_injection');
  });
});

describe('anomalies as alerts', () => {
  it('stores anomaly events in the history sink and delivers them', async () => {
    const r = await receiver();
    const stored: AlertEvent[] = [];
    const m = manager({
      channels: [{ type: 'webhook', url: r.url, secret: 's', eventTypes: ['anomaly.*'] }],
      history: { recordEvent: (e) => void stored.push(e) },
    });
    const detector = createAnomalyDetector({ metrics: ['latency'], minSamples: 20 });
    const span = (i: number, durationMs: number): Span => ({
      traceId: `trace-${i}`,
      spanId: `span-${i}`,
      tenantId: 'acme',
      operation: 'chat',
      provider: 'openai',
      model: 'gpt-4o',
      startTime: 1_767_225_600_000 + i * 1000,
      endTime: 1_767_225_600_000 + i * 1000 + durationMs,
      durationMs,
      stream: false,
      statusCode: 200,
      status: 'ok',
      promptTokens: 10,
      completionTokens: 10,
      totalTokens: 20,
      usageSource: 'upstream',
      securityScore: 0,
      findings: [],
      prompt: [],
      response: '',
      toolCalls: [],
      tags: {},
    });
    for (let i = 0; i < 60; i++) for (const a of detector.observe(span(i, 300 + (i % 7) * 15))) m.emit(a);
    expect(stored).toEqual([]);
    for (const a of detector.observe(span(60, 9000))) m.emit(a);
    await m.flush();
    expect(stored.map((e) => [e.type, e.details.value, e.traceId])).toEqual([
      ['anomaly.latency', 9000, 'trace-60'],
    ]);
    expect(r.hits).toHaveLength(1);
    expect(JSON.parse(r.hits[0]?.body ?? '{}')).toMatchObject({
      type: 'anomaly.latency',
      tenantId: 'acme',
      model: 'gpt-4o',
      details: { metric: 'latency', value: 9000 },
    });
  });
});
