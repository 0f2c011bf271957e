// Runs the SDK examples in examples/ against a proxy on a real socket (this package has the server deps).
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import type { Span } from '@llmtrace/core';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSdkExample } from '../../../examples/sdk_typescript.js';
import { createGateway, createMockUpstream, type MockUpstream } from '../src/index.js';
import { createIngestRoutes } from '../src/ingest/index.js';

const run = promisify(execFile);
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

// A proxy on a real socket: the ingest route at /api/v1 in front of the gateway, every span
// (proxied calls and SDK exports) landing in one in-memory list.
const spans: Span[] = [];
let upstream: MockUpstream;
let proxyUrl: string;
let closeProxy: () => Promise<void>;

beforeAll(async () => {
  upstream = await createMockUpstream();
  const sink = { record: (s: Span) => void spans.push(s) };
  const gateway = createGateway({ upstreamUrl: upstream.url, sink });
  const app = new Hono();
  app.route(
    '/api/v1',
    createIngestRoutes({ sink, resolveTenant: (h) => h.get('x-llmtrace-tenant-id') ?? 'default' }),
  );
  app.all('*', (c) => gateway.app.fetch(c.req.raw));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeProxy = async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await gateway.close();
  };
});

afterAll(async () => {
  await closeProxy();
  await upstream.close();
});

describe('examples', () => {
  it('sdk_typescript.ts exports one nested agent trace to the proxy', async () => {
    const lines: string[] = [];
    const { traceId, stats } = await runSdkExample({ proxyUrl, log: (l) => lines.push(l) });
    expect(stats).toMatchObject({ exported: 5, failed: 0, dropped: 0 });
    const trace = spans.filter((s) => s.traceId === traceId && s.agentId === 'trip-planner');
    const names = trace.map((s) => s.tags['operation.name'] ?? s.operation).sort();
    expect(names).toEqual(['chat', 'chat', 'chat', 'plan_trip', 'weather_lookup']);
    const root = trace.find((s) => s.tags['operation.name'] === 'plan_trip')!;
    expect(trace.filter((s) => s !== root).every((s) => s.parentSpanId === root.spanId)).toBe(true);
    expect(trace.every((s) => s.tenantId === 'examples')).toBe(true);
    expect(lines.some((l) => l.startsWith('stream: ') && l.length > 8)).toBe(true);
  });

  it('python_sdk.py runs against the proxy and its spans arrive', async () => {
    const { stdout } = await run('python3', [`${examples}python_sdk.py`, proxyUrl], { timeout: 30_000 });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      traceId: string;
      exported: number;
      failed: number;
    };
    expect(summary).toMatchObject({ exported: 5, failed: 0 });
    const mine = spans.filter((s) => s.agentId === 'py-researcher');
    expect(mine).toHaveLength(5);
    const trace = mine.filter((s) => s.traceId === summary.traceId);
    expect(trace.map((s) => s.tags['operation.name'] ?? s.operation).sort()).toEqual([
      'chat',
      'chat',
      'research_topic',
      'save_notes',
    ]);
    const streamed = trace.find((s) => s.stream)!;
    expect(streamed.promptTokens).toBeGreaterThan(0);
    expect(streamed.ttftMs).toBeGreaterThanOrEqual(0);
    expect(mine.every((s) => s.tenantId === 'examples')).toBe(true);
  });
});
