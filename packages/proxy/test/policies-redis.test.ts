import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@llmtrace/core';
import { createMemoryCounterStore } from '@llmtrace/storage/memory';
import { createRedisCounterStore } from '@llmtrace/storage/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBudgetPolicy, createRateLimitPolicy, type MockUpstream } from '../src/index.js';
import { startMockUpstream, startProxy } from './helpers.js';

const REDIS_URL = process.env.LLMTRACE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `llmtrace-test:${randomBytes(6).toString('hex')}:`;
const root = fileURLToPath(new URL('../../../', import.meta.url));

let redis: Redis;
let upstream: MockUpstream;
let workDir: string;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    // Never skip: Redis runs on every development and CI machine.
    throw new Error(`Redis is required at ${REDIS_URL} for the shared-limit tests: ${String(err)}`);
  }
  upstream = await startMockUpstream();
  workDir = mkdtempSync(join(tmpdir(), 'llmtrace-policies-'));
});

afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await upstream.close();
  rmSync(workDir, { recursive: true, force: true });
});

// A proxy process: a gateway with Redis-backed rate limits and budgets, bundled from the sources.
const WORKER = `
import { serve } from '@hono/node-server';
import { createGateway, createRateLimitPolicy, createBudgetPolicy } from '@llmtrace/gateway';
import { createRedisCounterStore } from '@llmtrace/storage/redis';
import { Redis } from 'ioredis';
const env = process.env;
const client = new Redis(env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
await new Promise((r) => client.once('ready', r));
const counters = createRedisCounterStore({ client, keyPrefix: env.PREFIX });
const policies = [
  createRateLimitPolicy({ rules: [{ scope: 'tenant', requestsPerMinute: Number(env.RPM) }], redis: client, keyPrefix: env.PREFIX + 'rl:' }),
  createBudgetPolicy({ rules: [{ scope: 'agent', window: 'daily', hardUsd: Number(env.HARD_USD) }], counters, priceOf: () => ({ input: 1000, output: 1000 }) }),
];
const gw = createGateway({ upstreamUrl: env.UPSTREAM_URL, sink: { record() {} }, policies });
const server = serve({ fetch: gw.app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(JSON.stringify({ port: info.port }) + '\\n');
});
process.on('SIGTERM', () => { server.close(); client.disconnect(); process.exit(0); });
`;

async function bundleWorker(): Promise<string> {
  // esbuild comes with tsup, the repo's bundler; resolving it through tsup pins no version here.
  const req = createRequire(join(root, 'package.json'));
  const esbuild = createRequire(req.resolve('tsup'))('esbuild') as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  const out = join(workDir, 'worker.mjs');
  await esbuild.build({
    stdin: { contents: WORKER, resolveDir: join(root, 'packages/proxy/test'), loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'error',
    alias: {
      '@llmtrace/gateway': join(root, 'packages/proxy/src/index.ts'),
      '@llmtrace/core': join(root, 'packages/core/src/index.ts'),
      '@llmtrace/security': join(root, 'packages/security/src/index.ts'),
      '@llmtrace/storage/redis': join(root, 'packages/storage/src/redis/index.ts'),
    },
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return out;
}

function startWorker(
  script: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${err}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${err}`)));
  });
}

function chat(url: string, tenant: string, headers: Record<string, string> = {}): Promise<number> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer sk-test',
      'x-llmtrace-tenant-id': tenant,
      'x-mock-content': 'ok',
      ...headers,
    },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'hello there' }],
    }),
  }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });
}

describe('one limit across two proxy processes sharing Redis', () => {
  it('a concurrent burst across both never exceeds the rate limit or the hard budget', async () => {
    const script = await bundleWorker();
    const env = { REDIS_URL, PREFIX, UPSTREAM_URL: upstream.url, RPM: '10', HARD_USD: '0.1' };
    const [a, b] = await Promise.all([startWorker(script, env), startWorker(script, env)]);
    try {
      // Rate limit: 40 requests at once, half through each process; the tenant may send 10 a minute.
      let before = upstream.received.length;
      const rl = await Promise.all(
        Array.from({ length: 40 }, (_, i) => chat(i % 2 ? a.url : b.url, 'shared-rl')),
      );
      expect(upstream.received.length - before).toBe(10);
      expect(rl.filter((s) => s === 200)).toHaveLength(10);
      expect(rl.filter((s) => s === 429)).toHaveLength(30);

      // Budget: $0.10 a day per agent, each request reserves ~$0.027 while the slow upstream holds it
      // in flight; 10 of the 30 get past the rate limit, at most 3 fit in the budget.
      before = upstream.received.length;
      const slow = { 'x-mock-delay-ms': '300', 'x-llmtrace-agent-id': 'spender' };
      const bud = await Promise.all(
        Array.from({ length: 30 }, (_, i) => chat(i % 2 ? a.url : b.url, 'shared-budget', slow)),
      );
      const forwarded = upstream.received.length - before;
      expect(forwarded).toBeGreaterThan(0);
      expect(forwarded).toBeLessThanOrEqual(3);
      expect(bud.filter((s) => s === 200)).toHaveLength(forwarded);
      expect(bud.filter((s) => s === 429)).toHaveLength(30 - forwarded);
    } finally {
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
    }
  });
});

/** A TCP relay in front of Redis that can be cut, to simulate an outage without touching Redis. */
async function startRelay(): Promise<{
  url: string;
  cut(): void;
  freeze(): void;
  close(): Promise<void>;
}> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  const pairs: Array<[Socket, Socket]> = [];
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return client.destroy();
    const up = connect(Number(target.port || 6379), target.hostname);
    sockets.add(client);
    sockets.add(up);
    pairs.push([client, up]);
    client.pipe(up).pipe(client);
    const drop = (): void => {
      client.destroy();
      up.destroy();
    };
    client.on('error', drop);
    up.on('error', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    /** Keep every connection open but pass nothing on: a Redis that stops answering. */
    freeze() {
      for (const [client, up] of pairs) {
        client.unpipe(up);
        up.unpipe(client);
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

function captureLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = (): void => undefined;
  return { warnings, debug: noop, info: noop, error: noop, warn: (msg: string) => void warnings.push(msg) };
}

describe('a Redis outage', () => {
  for (const failMode of ['open', 'closed'] as const) {
    it(`fail-${failMode}: ${failMode === 'open' ? 'degrades to per-process limits with a warning' : 'refuses traffic with 429'}`, async () => {
      const relay = await startRelay();
      const client = new Redis(relay.url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: () => 50,
      });
      client.on('error', () => undefined);
      await new Promise((r) => client.once('ready', r));
      const logger = captureLogger();
      const tenant = `outage-${failMode}`;
      const counters = createRedisCounterStore({ client, keyPrefix: PREFIX });
      const p = await startProxy({
        upstreamUrl: upstream.url,
        policies: [
          createRateLimitPolicy({
            rules: [{ scope: 'tenant', requestsPerMinute: 5 }],
            redis: client,
            keyPrefix: `${PREFIX}${failMode}:rl:`,
            failMode,
            logger,
          }),
          createBudgetPolicy({
            rules: [{ scope: 'tenant', window: 'daily', hardUsd: 10 }],
            counters,
            fallback: createMemoryCounterStore(),
            failMode,
            priceOf: () => ({ input: 1, output: 1 }),
            logger,
          }),
        ],
      });
      try {
        expect(await chat(p.url, tenant)).toBe(200);
        // The limit really lives in Redis before the outage.
        expect((await redis.keys(`${PREFIX}${failMode}:rl:*`)).length).toBeGreaterThan(0);
        relay.cut();
        const during = [];
        for (let i = 0; i < 7; i++) during.push(await chat(p.url, tenant));
        if (failMode === 'open') {
          // Per-process limit of 5 a minute, counted afresh in memory: 5 pass, then 429.
          expect(during).toEqual([200, 200, 200, 200, 200, 429, 429]);
          expect(logger.warnings.some((w) => w.includes('rate limit store unavailable'))).toBe(true);
          expect(logger.warnings.some((w) => w.includes('budget store unavailable'))).toBe(true);
        } else {
          expect(during.every((s) => s === 429)).toBe(true);
        }
      } finally {
        await p.close();
        client.disconnect();
        await relay.close();
      }
    });
  }
});

describe('a Redis that stops answering', () => {
  it('does not hold requests up: after the store timeout, fail-open limits apply per process', async () => {
    const relay = await startRelay();
    const client = new Redis(relay.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    await new Promise((r) => client.once('ready', r));
    const logger = captureLogger();
    const p = await startProxy({
      upstreamUrl: upstream.url,
      policies: [
        createRateLimitPolicy({
          rules: [{ scope: 'tenant', requestsPerMinute: 100 }],
          redis: client,
          keyPrefix: `${PREFIX}frozen:rl:`,
          storeTimeoutMs: 200,
          logger,
        }),
        createBudgetPolicy({
          rules: [{ scope: 'tenant', window: 'daily', hardUsd: 10 }],
          counters: createRedisCounterStore({ client, keyPrefix: PREFIX, timeoutMs: 200 }),
          fallback: createMemoryCounterStore(),
          priceOf: () => ({ input: 1, output: 1 }),
          logger,
        }),
      ],
    });
    try {
      expect(await chat(p.url, 'frozen')).toBe(200);
      relay.freeze();
      const t0 = Date.now();
      const during = await Promise.all(Array.from({ length: 5 }, () => chat(p.url, 'frozen')));
      expect(during).toEqual([200, 200, 200, 200, 200]);
      // Each request waited for the timeouts (the checks run side by side), not for Redis.
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(logger.warnings.some((w) => w.includes('rate limit store unavailable'))).toBe(true);
      expect(logger.warnings.some((w) => w.includes('budget store unavailable'))).toBe(true);
    } finally {
      await p.close();
      client.disconnect();
      await relay.close();
    }
  });
});
