import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Span } from '@llmtrace/core';
import {
  createGateway,
  createMockUpstream,
  type Gateway,
  type GatewayOptions,
  type MockUpstreamOptions,
} from '../src/index.js';

/** A proxy on a real socket whose spans land in memory. */
export interface TestProxy {
  url: string;
  gateway: Gateway;
  spans: Span[];
  /** Resolve once at least `n` spans were recorded (rejects after `timeoutMs`). */
  waitForSpans(n: number, timeoutMs?: number): Promise<Span[]>;
  close(): Promise<void>;
}

/**
 * Start a gateway on 127.0.0.1 (port 0) with an in-memory sink. `server: 'node'` (the default,
 * as the app serves) uses `gateway.handleNode`; `'hono'` serves `gateway.app` through
 * `@hono/node-server`.
 */
export async function startProxy(
  options: Omit<GatewayOptions, 'sink'> & { sink?: GatewayOptions['sink']; server?: 'node' | 'hono' },
): Promise<TestProxy> {
  const spans: Span[] = [];
  const waiters: Array<() => void> = [];
  const sink = options.sink ?? {
    record(span: Span) {
      spans.push(span);
      for (const w of waiters.splice(0)) w();
    },
  };
  const { server: kind = 'node', ...gatewayOptions } = options;
  const gateway = createGateway({ ...gatewayOptions, sink });
  const server = await new Promise<Server | ReturnType<typeof serve>>((resolve) => {
    if (kind === 'hono') {
      const s = serve({ fetch: gateway.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
      return;
    }
    const s = createServer(gateway.handleNode);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    spans,
    async waitForSpans(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (spans.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} spans, got ${spans.length}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
      return spans;
    },
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        if ('closeAllConnections' in server)
          (server as { closeAllConnections(): void }).closeAllConnections();
      });
      await gateway.close();
    },
  };
}

/** Start the fake OpenAI-compatible upstream on port 0. */
export function startMockUpstream(options: MockUpstreamOptions = {}) {
  return createMockUpstream(options);
}
