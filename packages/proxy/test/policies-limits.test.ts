import { createMemoryCounterStore, createMemoryMetadataStore } from '@llmtrace/storage/memory';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  createAuthPolicy,
  createBudgetPolicy,
  createRateLimitPolicy,
  createTenantOverrides,
  createTokenCapPolicy,
  generateKey,
  listApiKeys,
  type MockUpstream,
  type PolicyEvent,
  type RequestPolicy,
  revokeApiKey,
} from '../src/index.js';
import { startMockUpstream, startProxy, type TestProxy } from './helpers.js';

let upstream: MockUpstream;
const proxies: TestProxy[] = [];

beforeAll(async () => {
  upstream = await startMockUpstream();
});
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
});
afterAll(async () => {
  await upstream.close();
});

async function proxyWith(policies: RequestPolicy[]): Promise<TestProxy> {
  const p = await startProxy({ upstreamUrl: upstream.url, policies });
  proxies.push(p);
  return p;
}

function sdk(p: TestProxy, headers: Record<string, string> = {}, apiKey = 'sk-upstream-abc'): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${p.url}/v1`, maxRetries: 0, defaultHeaders: headers });
}

const ask = (
  c: OpenAI,
  extra: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming> = {},
  headers: Record<string, string> = {},
) =>
  c.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }], ...extra },
    { headers },
  );

const statusOf = (p: Promise<unknown>) => p.then(() => 200).catch((e: { status?: number }) => e.status ?? 0);

describe('proxy authentication', () => {
  it('401 without a key, 200 with a created key; the upstream key passes through untouched', async () => {
    const metadata = createMemoryMetadataStore();
    const { key } = await createApiKey(metadata, { tenantId: 'acme', role: 'operator' });
    expect(key).toMatch(/^llmt_[A-Za-z0-9_-]{43}$/);
    const p = await proxyWith([createAuthPolicy({ metadata })]);
    const calls = upstream.received.length;
    const err = await ask(sdk(p)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as { error?: { type?: string } }).error?.type).toBe('authentication_error');
    expect(upstream.received.length).toBe(calls);

    const res = await ask(sdk(p, { 'x-llmtrace-key': key }));
    expect(res.choices[0]?.message.content).toBeTruthy();
    const got = upstream.received[upstream.received.length - 1]!;
    expect(got.headers.authorization).toBe('Bearer sk-upstream-abc');
    expect(got.headers['x-llmtrace-key']).toBeUndefined();
    const spans = await p.waitForSpans(2);
    expect(spans[0]!.status).toBe('error');
    const span = spans[1];
    expect(span!.tenantId).toBe('acme');
    expect(JSON.stringify(span)).not.toContain(key);
  });

  it('stores only a hash; a revoked key is refused; keys are listed without secrets', async () => {
    const metadata = createMemoryMetadataStore();
    const { key, info } = await createApiKey(metadata, { tenantId: 'acme', role: 'viewer' });
    const p = await proxyWith([createAuthPolicy({ metadata, cacheTtlMs: 0 })]);
    expect(await statusOf(ask(sdk(p, { 'x-llmtrace-key': key })))).toBe(200);
    expect(await revokeApiKey(metadata, info.id, 'acme')).toBe(true);
    expect(await statusOf(ask(sdk(p, { 'x-llmtrace-key': key })))).toBe(401);
    const listed = await listApiKeys(metadata, 'acme');
    expect(listed).toEqual([
      expect.objectContaining({ id: info.id, role: 'viewer', revokedAt: expect.any(Number) }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(key);
  });

  it('a bootstrap admin key works; a non-admin key may not act for another tenant', async () => {
    const metadata = createMemoryMetadataStore();
    const boot = generateKey();
    const { key } = await createApiKey(metadata, { tenantId: 'acme', role: 'operator' });
    const p = await proxyWith([createAuthPolicy({ metadata, bootstrapKey: boot })]);
    expect(await statusOf(ask(sdk(p, { 'x-llmtrace-key': boot, 'x-llmtrace-tenant-id': 'other' })))).toBe(
      200,
    );
    expect(await statusOf(ask(sdk(p, { 'x-llmtrace-key': key, 'x-llmtrace-tenant-id': 'other' })))).toBe(403);
    expect(await statusOf(ask(sdk(p, { 'x-llmtrace-key': `${boot.slice(0, -1)}x` })))).toBe(401);
  });

  it('with a server-held upstream key, the application only holds its llmt_ key', async () => {
    const metadata = createMemoryMetadataStore();
    const { key } = await createApiKey(metadata, { tenantId: 'acme', role: 'operator' });
    await metadata.setPolicy('acme', { upstreamKey: 'sk-held-by-proxy' });
    const overrides = createTenantOverrides({ metadata });
    const p = await proxyWith([createAuthPolicy({ metadata, overrides })]);
    await ask(sdk(p, {}, key));
    const got = upstream.received[upstream.received.length - 1]!;
    expect(got.headers.authorization).toBe('Bearer sk-held-by-proxy');
    expect(JSON.stringify(got.headers)).not.toContain(key);
  });
});

describe('rate limits', () => {
  it('requests per minute: 429 with Retry-After and OpenAI x-ratelimit headers; the upstream is not called', async () => {
    const p = await proxyWith([
      createRateLimitPolicy({ rules: [{ scope: 'tenant', requestsPerMinute: 3 }] }),
    ]);
    const c = sdk(p, { 'x-llmtrace-tenant-id': 'rl-a' });
    const calls = upstream.received.length;
    const first = await ask(c).withResponse();
    expect(first.response.headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('2');
    expect(first.response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/);
    await ask(c);
    await ask(c);
    const err = (await ask(c).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(err.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect((err.error as { code?: string }).code).toBe('rate_limit_exceeded');
    expect(upstream.received.length - calls).toBe(3);
    // Another tenant has its own limit.
    expect(await statusOf(ask(sdk(p, { 'x-llmtrace-tenant-id': 'rl-b' })))).toBe(200);
  });

  it('burst allows extra requests over the steady rate', async () => {
    const p = await proxyWith([
      createRateLimitPolicy({
        rules: [{ scope: 'tenant', requestsPerMinute: 2, burst: 2, burstWindowSeconds: 60 }],
      }),
    ]);
    const c = sdk(p, { 'x-llmtrace-tenant-id': 'rl-burst' });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push(await statusOf(ask(c)));
    expect(codes).toEqual([200, 200, 200, 200, 429]);
  });

  it('tokens per minute count the prompt estimate plus max_tokens up front', async () => {
    const p = await proxyWith([
      createRateLimitPolicy({ rules: [{ scope: 'tenant', tokensPerMinute: 1000 }] }),
    ]);
    const c = sdk(p, { 'x-llmtrace-tenant-id': 'rl-tok' });
    const slow = { 'x-mock-delay-ms': '150' };
    const [ok, err] = await Promise.all([
      ask(c, { max_tokens: 600 }, slow).withResponse(),
      new Promise((r) => setTimeout(r, 30)).then(() =>
        ask(c, { max_tokens: 600 }, slow).catch((e: unknown) => e),
      ),
    ]);
    expect(ok.response.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(Number(ok.response.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(400);
    const rl = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rl.status).toBe(429);
    expect(rl.headers?.get('x-ratelimit-remaining-tokens')).toBe('0');
    // Once the first call ended, the count was corrected to its real (small) usage: 600 fits again.
    await p.waitForSpans(2);
    expect(await statusOf(ask(c, { max_tokens: 600 }))).toBe(200);
  });

  it('without proxy keys, per-key limits count per upstream API key', async () => {
    const p = await proxyWith([createRateLimitPolicy({ rules: [{ scope: 'key', requestsPerMinute: 1 }] })]);
    const one = sdk(p, { 'x-llmtrace-tenant-id': 'rl-key' }, 'sk-one');
    const two = sdk(p, { 'x-llmtrace-tenant-id': 'rl-key' }, 'sk-two');
    expect([await statusOf(ask(one)), await statusOf(ask(one)), await statusOf(ask(two))]).toEqual([
      200, 429, 200,
    ]);
  });

  it('per-agent limits are separate from each other', async () => {
    const p = await proxyWith([createRateLimitPolicy({ rules: [{ scope: 'agent', requestsPerMinute: 1 }] })]);
    const a = sdk(p, { 'x-llmtrace-tenant-id': 'rl-ag', 'x-llmtrace-agent-id': 'a1' });
    const b = sdk(p, { 'x-llmtrace-tenant-id': 'rl-ag', 'x-llmtrace-agent-id': 'a2' });
    expect([await statusOf(ask(a)), await statusOf(ask(a)), await statusOf(ask(b))]).toEqual([200, 429, 200]);
  });
});

describe('budgets', () => {
  // $1000 per million tokens = $0.001 per token, so a few requests reach the limit.
  const priceOf = () => ({ input: 1000, output: 1000 });
  const short = { 'x-mock-content': 'ok' };

  it('a burst of concurrent requests never exceeds the hard limit; spend settles to the real cost', async () => {
    const counters = createMemoryCounterStore();
    const budgets = createBudgetPolicy({
      rules: [{ scope: 'tenant', window: 'daily', hardUsd: 0.1 }],
      counters,
      priceOf,
    });
    const p = await proxyWith([budgets]);
    const c = sdk(p, { 'x-llmtrace-tenant-id': 'bud-race' });
    const calls = upstream.received.length;
    // Worst case per request: ~8 prompt tokens + 20 max_tokens = ~$0.028, so at most 3 fit in $0.10.
    // The upstream answers slowly, so every request is in flight before any settles.
    const codes = await Promise.all(
      Array.from({ length: 20 }, () =>
        statusOf(ask(c, { max_tokens: 20 }, { ...short, 'x-mock-delay-ms': '300' })),
      ),
    );
    const forwarded = upstream.received.length - calls;
    expect(codes.filter((s) => s === 200).length).toBe(forwarded);
    expect(codes.filter((s) => s === 429).length).toBe(20 - forwarded);
    expect(forwarded).toBeGreaterThan(0);
    expect(forwarded).toBeLessThanOrEqual(3);
    const spans = await p.waitForSpans(20);
    const real = spans
      .filter((s) => s.status === 'ok')
      .reduce((sum, s) => sum + (s.promptTokens + s.completionTokens) * 0.001, 0);
    await new Promise((r) => setTimeout(r, 20));
    const [daily] = await budgets.spend('bud-race');
    expect(daily!.window).toBe('daily');
    expect(daily!.spentUsd).toBeCloseTo(real, 6);
    expect(real).toBeLessThanOrEqual(0.1);
    expect(daily!.hardUsd).toBe(0.1);
  });

  it('releases the reservation when the upstream fails, and refuses with budget_exceeded once spent', async () => {
    const counters = createMemoryCounterStore();
    const budgets = createBudgetPolicy({
      rules: [{ scope: 'tenant', window: 'hourly', hardUsd: 0.05 }],
      counters,
      priceOf,
    });
    const p = await proxyWith([budgets]);
    const c = sdk(p, { 'x-llmtrace-tenant-id': 'bud-fail' });
    expect(await statusOf(ask(c, { max_tokens: 10 }, { 'x-mock-status': '500' }))).toBe(500);
    await p.waitForSpans(1);
    await new Promise((r) => setTimeout(r, 20));
    expect((await budgets.spend('bud-fail'))[0]!.spentUsd).toBe(0);
    let last = 200;
    for (let i = 0; i < 10 && last === 200; i++) {
      last = await statusOf(ask(c, { max_tokens: 10 }, short));
      // Spend is settled when the span is delivered (a few ms after the answer); until then the
      // reservation counts, which could refuse a call the settled spend would still allow.
      await p.waitForSpans(i + 2);
    }
    expect(last).toBe(429);
    const err = (await ask(c, { max_tokens: 10 }, short).catch((e: unknown) => e)) as InstanceType<
      typeof OpenAI.RateLimitError
    >;
    expect((err.error as { code?: string }).code).toBe('budget_exceeded');
    expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(err.headers?.get('x-should-retry')).toBe('false');
  });

  it('a soft limit emits one alert event and lets traffic through', async () => {
    const events: PolicyEvent[] = [];
    const budgets = createBudgetPolicy({
      rules: [{ scope: 'agent', window: 'daily', softUsd: 0.02 }],
      counters: createMemoryCounterStore(),
      priceOf,
      onEvent: (e) => events.push(e),
    });
    const p = await proxyWith([budgets]);
    const c = sdk(p, { 'x-llmtrace-tenant-id': 'bud-soft', 'x-llmtrace-agent-id': 'bot' });
    for (let i = 0; i < 4; i++) expect(await statusOf(ask(c, { max_tokens: 10 }, short))).toBe(200);
    await p.waitForSpans(4); // spend settles as each span is delivered
    const soft = events.filter((e) => e.type === 'budget.soft_limit');
    expect(soft).toHaveLength(1);
    expect(soft[0]).toMatchObject({ tenantId: 'bud-soft', agentId: 'bot', window: 'daily', limitUsd: 0.02 });
  });
});

describe('per-tenant overrides from the metadata store', () => {
  it('a tenant policy replaces the default limits; an invalid one is ignored', async () => {
    const metadata = createMemoryMetadataStore();
    await metadata.setPolicy('vip', {
      rateLimits: [{ scope: 'tenant', requestsPerMinute: 3 }],
      tokenCaps: { maxCompletionTokens: 10 },
    });
    await metadata.setPolicy('broken', { rateLimits: 'lots' });
    const overrides = createTenantOverrides({ metadata });
    const p = await proxyWith([
      createRateLimitPolicy({ rules: [{ scope: 'tenant', requestsPerMinute: 1 }], overrides }),
      createTokenCapPolicy({ overrides }),
    ]);
    const vip = sdk(p, { 'x-llmtrace-tenant-id': 'vip' });
    const broken = sdk(p, { 'x-llmtrace-tenant-id': 'broken' });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await statusOf(ask(vip, { max_tokens: 500 })));
    expect(codes).toEqual([200, 200, 200, 429]);
    const body = JSON.parse(upstream.received[upstream.received.length - 1]!.body.toString('utf8')) as {
      max_tokens?: number;
    };
    expect(body.max_tokens).toBe(10);
    expect([await statusOf(ask(broken)), await statusOf(ask(broken))]).toEqual([200, 429]);
  });
});

describe('token caps', () => {
  it('clamps max_tokens above the cap before the upstream sees it', async () => {
    const p = await proxyWith([createTokenCapPolicy({ maxCompletionTokens: 100, onExcess: 'clamp' })]);
    await ask(sdk(p), { max_tokens: 5000 });
    const body = JSON.parse(upstream.received[upstream.received.length - 1]!.body.toString('utf8')) as {
      max_tokens?: number;
    };
    expect(body.max_tokens).toBe(100);
  });

  it('rejects max_tokens above the cap in reject mode, and prompts over max_prompt_tokens', async () => {
    const p = await proxyWith([
      createTokenCapPolicy({ maxCompletionTokens: 100, maxPromptTokens: 50, onExcess: 'reject' }),
    ]);
    const calls = upstream.received.length;
    expect(await statusOf(ask(sdk(p), { max_tokens: 5000 }))).toBe(400);
    expect(await statusOf(ask(sdk(p), { messages: [{ role: 'user', content: 'word '.repeat(400) }] }))).toBe(
      400,
    );
    expect(upstream.received.length).toBe(calls);
    expect(await statusOf(ask(sdk(p), { max_tokens: 50 }))).toBe(200);
  });
});
