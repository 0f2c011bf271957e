import { createMockUpstream, type MockUpstream } from '@llmtrace/gateway';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/index.js';
import { createAppLogger } from '../src/logger.js';
import { routeClaims } from '../src/operator.js';
import { type RunningProxy, startProxy } from '../src/server.js';

describe('routeClaims', () => {
  const app = new Hono();
  app.get('/health', (c) => c.text('ok'));
  const api = new Hono();
  api.use('*', async (_c, next) => next());
  api.get('/spans/:spanId', (c) => c.text('span'));
  app.route('/api/v1', api);
  app.get('/ui', (c) => c.text('ui'));
  app.all('/ui/*', (c) => c.text('nf', 404));
  const claims = routeClaims(app);

  it('claims static paths exactly and everything under a dynamic route', () => {
    for (const p of ['/health', '/api/v1', '/api/v1/spans/abc', '/api/v1/anything', '/ui', '/ui/app.js'])
      expect(claims(p), p).toBe(true);
  });

  it('leaves every other path to the proxy', () => {
    for (const p of ['/v1/chat/completions', '/healthz', '/uix', '/api/v2/x', '/', '/v1/messages'])
      expect(claims(p), p).toBe(false);
  });

  it('claims everything when a route is dynamic at the root', () => {
    const all = new Hono();
    all.use('*', async (_c, next) => next());
    expect(routeClaims(all)('/v1/chat/completions')).toBe(true);
  });
});

// The app sends operator paths through the router and everything else straight to the gateway's
// Node handler: both sides must answer as they did through one router.
describe('the app server dispatch', () => {
  let upstream: MockUpstream;
  let proxy: RunningProxy;
  beforeAll(async () => {
    upstream = await createMockUpstream();
    proxy = await startProxy(
      configSchema.parse({
        listen_addr: '127.0.0.1:0',
        upstream_url: upstream.url,
        storage: { profile: 'memory' },
      }),
      createAppLogger({ level: 'silent', format: 'json' }),
    );
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('serves the operator routes', async () => {
    const health = await fetch(`${proxy.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ui = await fetch(`${proxy.url}/ui`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    const metrics = await fetch(`${proxy.url}/metrics?x=1`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE');
  });

  it('proxies everything else (a query string does not change where a path goes)', async () => {
    const before = upstream.received.length;
    const res = await fetch(`${proxy.url}/v1/chat/completions?api-version=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-llmtrace-tenant-id': 'dispatch' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-llmtrace-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    await res.json();
    expect(upstream.received.length).toBe(before + 1);
    expect(upstream.received.at(-1)?.path).toBe('/v1/chat/completions');
    await proxy.gateway.drain();
    await proxy.writer.flush();
  });

  it('answers its own errors in the OpenAI shape on the direct path', async () => {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-llmtrace-tenant-id': 'not a valid id!' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});
