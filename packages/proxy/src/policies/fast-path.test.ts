import type { MetadataStore } from '@llmtrace/core';
import { createScanner } from '@llmtrace/security';
import { createMemoryCounterStore, createMemoryMetadataStore } from '@llmtrace/storage/memory';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PolicyContext, RequestPolicy } from '../pipeline/policy.js';
import type { ProviderFormat } from '../providers/types.js';
import { createAuthPolicy } from './auth.js';
import { createBudgetPolicy } from './budgets.js';
import { createEnforcementPolicy, createInputScanPolicy } from './enforcement.js';
import { createApiKey } from './keys.js';
import { createOutputGuardPolicy } from './output-guard.js';
import {
  createTenantOverrides,
  OVERRIDES_NOT_CACHED,
  type TenantOverrides,
  tenantPolicyFor,
} from './overrides.js';
import { createRateLimitPolicy } from './rate-limit.js';
import { createTokenCapPolicy } from './token-caps.js';
import type { PolicyEvent } from './types.js';

// What these tests pin: with the tenant's overrides cached, a policy with nothing to do answers
// `undefined` synchronously (no promise, so the pipeline awaits nothing); everything else keeps
// its old answers, and refusals still arrive as rejected promises, never as synchronous throws.

const BOOTSTRAP = `llmt_${'b'.repeat(43)}`;

function context(over: Partial<PolicyContext> = {}, headers: Record<string, string> = {}): PolicyContext {
  const messages = [
    { role: 'system' as const, content: 'You are a helpful assistant.' },
    { role: 'user' as const, content: 'Recommend three novels like The Remains of the Day.' },
  ];
  return {
    identity: { tenantId: 'acme', agentId: 'bot' },
    method: 'POST',
    path: '/v1/chat/completions',
    headers: new Headers(headers),
    format: { id: 'openai.chat', provider: 'openai' } as ProviderFormat,
    request: { model: 'gpt-4o-mini', stream: false, messages, params: {}, maxTokens: 256 },
    body: { model: 'gpt-4o-mini', max_tokens: 256, messages },
    ...over,
  };
}

/** Expect a synchronous answer (not a promise) and return it. */
function sync(policy: RequestPolicy, ctx: PolicyContext) {
  const r = policy.check(ctx);
  expect(r).not.toBeInstanceOf(Promise);
  return r as Exclude<typeof r, Promise<unknown>>;
}

/** Expect a promise (the old async path) and return it. */
function async(policy: RequestPolicy, ctx: PolicyContext) {
  const r = policy.check(ctx);
  expect(r).toBeInstanceOf(Promise);
  return r as Promise<unknown>;
}

let metadata: MetadataStore;
let overrides: TenantOverrides;

beforeEach(async () => {
  metadata = createMemoryMetadataStore();
  overrides = createTenantOverrides({ metadata });
});

/** Load the tenant's overrides into the cache, as the first request of the tenant would. */
const warm = (tenantId = 'acme') => overrides.get(tenantId);

describe('tenant overrides', () => {
  it('peek answers from a fresh cache only', async () => {
    await metadata.setPolicy('acme', { budgets: [] });
    expect(overrides.peek?.('acme')).toBe(OVERRIDES_NOT_CACHED);
    await warm();
    expect(overrides.peek?.('acme')).toEqual({ budgets: [] });
    // A tenant without overrides is cached as `undefined`, which is not the same as not cached.
    await warm('plain');
    expect(overrides.peek?.('plain')).toBeUndefined();
    overrides.invalidate('acme');
    expect(overrides.peek?.('acme')).toBe(OVERRIDES_NOT_CACHED);
    const uncached = createTenantOverrides({ metadata, ttlMs: 0 });
    await uncached.get('acme');
    expect(uncached.peek?.('acme')).toBe(OVERRIDES_NOT_CACHED);
  });

  it('tenantPolicyFor is synchronous once cached, and loads once per request otherwise', async () => {
    await metadata.setPolicy('acme', { monitoringScope: 'input_only' });
    const first = context();
    const loading = tenantPolicyFor(first, overrides);
    expect(loading).toBeInstanceOf(Promise);
    expect(await loading).toEqual({ monitoringScope: 'input_only' });
    // Same request: from its state, even after the cache is dropped.
    overrides.invalidate();
    expect(tenantPolicyFor(first, overrides)).toEqual({ monitoringScope: 'input_only' });
    await warm();
    expect(tenantPolicyFor(context(), overrides)).toEqual({ monitoringScope: 'input_only' });
    // A tenant without overrides gets `{}` (the defaults), also synchronously.
    await warm('plain');
    expect(tenantPolicyFor(context({ identity: { tenantId: 'plain' } }), overrides)).toEqual({});
    expect(tenantPolicyFor(context(), undefined)).toBeUndefined();
  });

  it('works with an implementation that has no peek', async () => {
    const bare: TenantOverrides = { get: async () => ({ budgets: [] }), invalidate() {} };
    const ctx = context();
    const loading = tenantPolicyFor(ctx, bare);
    expect(loading).toBeInstanceOf(Promise);
    expect(await loading).toEqual({ budgets: [] });
    expect(tenantPolicyFor(ctx, bare)).toEqual({ budgets: [] });
  });
});

describe('token caps', () => {
  it('answers undefined synchronously without caps, without a request, and within the caps', async () => {
    await warm();
    expect(sync(createTokenCapPolicy({ overrides }), context())).toBeUndefined();
    expect(sync(createTokenCapPolicy({ overrides }), context({ request: undefined }))).toBeUndefined();
    const capped = createTokenCapPolicy({ maxPromptTokens: 10_000, maxCompletionTokens: 1000, overrides });
    expect(sync(capped, context())).toBeUndefined();
  });

  it('loads cold overrides asynchronously, with the same answer', async () => {
    expect(await async(createTokenCapPolicy({ overrides }), context())).toBeUndefined();
  });

  it('clamps and refuses as before; refusals are rejected promises', async () => {
    await warm();
    const clamp = createTokenCapPolicy({ maxCompletionTokens: 100, overrides });
    const ctx = context();
    expect(sync(clamp, ctx)).toEqual({ bodyChanged: true });
    expect((ctx.body as { max_tokens: number }).max_tokens).toBe(100);
    expect(ctx.request?.maxTokens).toBe(100);

    const reject = createTokenCapPolicy({ maxCompletionTokens: 100, onExcess: 'reject', overrides });
    await expect(async(reject, context())).rejects.toThrow(
      "max_tokens 256 is over this proxy's limit of 100",
    );
    const prompt = createTokenCapPolicy({ maxPromptTokens: 5, overrides });
    await expect(async(prompt, context())).rejects.toThrow(
      /^prompt is about \d+ tokens, over this proxy's limit of 5$/,
    );
  });

  it("applies the tenant's caps key by key, like the object spread it replaces", async () => {
    await metadata.setPolicy('acme', { tokenCaps: { maxCompletionTokens: 50 } });
    await metadata.setPolicy('open', { tokenCaps: { maxCompletionTokens: undefined } });
    await warm();
    await warm('open');
    const policy = createTokenCapPolicy({ maxCompletionTokens: 100, onExcess: 'reject', overrides });
    await expect(async(policy, context())).rejects.toThrow("max_tokens 256 is over this proxy's limit of 50");
    // A key present but undefined lifts the proxy-wide cap for that tenant.
    expect(sync(policy, context({ identity: { tenantId: 'open' } }))).toBeUndefined();
  });
});

describe('budgets', () => {
  const priceOf = () => ({ input: 0.15, output: 0.6 });
  const budgets = (
    rules: Parameters<typeof createBudgetPolicy>[0]['rules'],
    onEvent?: (e: PolicyEvent) => void,
  ) => createBudgetPolicy({ rules, counters: createMemoryCounterStore(), priceOf, overrides, onEvent });

  it('answers undefined synchronously when no budget applies', async () => {
    await metadata.setPolicy('vip', { budgets: [] });
    await warm();
    await warm('vip');
    expect(sync(budgets([]), context())).toBeUndefined();
    expect(sync(budgets([]), context({ request: undefined }))).toBeUndefined();
    // Agent budgets without an agent, and rules without limits, do not apply.
    const agentOnly = budgets([{ scope: 'agent', window: 'daily', hardUsd: 1 }]);
    expect(sync(agentOnly, context({ identity: { tenantId: 'acme' } }))).toBeUndefined();
    expect(sync(budgets([{ scope: 'tenant', window: 'daily' }]), context())).toBeUndefined();
    // A tenant's (empty) override replaces the defaults.
    const daily = budgets([{ scope: 'tenant', window: 'daily', hardUsd: 1 }]);
    expect(sync(daily, context({ identity: { tenantId: 'vip' } }))).toBeUndefined();
  });

  it('still reserves, settles and refuses when a budget applies', async () => {
    await warm();
    const events: PolicyEvent[] = [];
    const daily = budgets([{ scope: 'tenant', window: 'daily', hardUsd: 1 }], (e) => events.push(e));
    const decision = (await async(daily, context())) as { onFinish?: unknown };
    expect(typeof decision.onFinish).toBe('function');
    expect(await daily.spend('acme')).toMatchObject([{ scope: 'tenant', window: 'daily', hardUsd: 1 }]);

    const tiny = budgets([{ scope: 'tenant', window: 'daily', hardUsd: 0.0001 }], (e) => events.push(e));
    await expect(async(tiny, context())).rejects.toMatchObject({
      code: 'budget_exceeded',
      message: 'daily budget of $0.0001 for this tenant is exhausted ($0.0000 spent or reserved)',
    });
    expect(events.map((e) => e.type)).toEqual(['budget.hard_limit']);
  });
});

describe('rate limits', () => {
  it('answers undefined synchronously without rules', async () => {
    await metadata.setPolicy('vip', { rateLimits: [] });
    await warm();
    await warm('vip');
    expect(sync(createRateLimitPolicy({ rules: [], overrides }), context())).toBeUndefined();
    const limited = createRateLimitPolicy({ rules: [{ scope: 'tenant', requestsPerMinute: 1 }], overrides });
    expect(sync(limited, context({ identity: { tenantId: 'vip' } }))).toBeUndefined();
  });

  it('still counts, and refuses over the limit, when rules apply', async () => {
    await warm();
    const limited = createRateLimitPolicy({ rules: [{ scope: 'tenant', requestsPerMinute: 1 }], overrides });
    expect(await async(limited, context())).toMatchObject({
      responseHeaders: { 'x-ratelimit-limit-requests': '1', 'x-ratelimit-remaining-requests': '0' },
    });
    await expect(async(limited, context())).rejects.toMatchObject({ code: 'rate_limit_exceeded' });
  });
});

describe('auth', () => {
  it('answers synchronously for a cached key with cached overrides', async () => {
    const policy = createAuthPolicy({ metadata, bootstrapKey: BOOTSTRAP, bootstrapTenant: 'ops', overrides });
    await warm('ops');
    const ctx = context({}, { 'x-llmtrace-key': BOOTSTRAP });
    expect(sync(policy, ctx)).toBeUndefined();
    expect(ctx.identity.tenantId).toBe('ops');

    const { key } = await createApiKey(metadata, { tenantId: 'acme', role: 'operator' });
    await warm();
    // First use reads the key from the store; later requests find it cached.
    expect(await async(policy, context({}, { 'x-llmtrace-key': key }))).toBeUndefined();
    expect(sync(policy, context({}, { 'x-llmtrace-key': key }))).toBeUndefined();
  });

  it('sets a held upstream key synchronously and refuses as before, as rejected promises', async () => {
    await metadata.setPolicy('acme', { upstreamKey: 'sk-held' });
    await warm();
    await warm('plain');
    const events: PolicyEvent[] = [];
    const policy = createAuthPolicy({ metadata, overrides, onEvent: (e) => events.push(e) });
    const { key } = await createApiKey(metadata, { tenantId: 'acme', role: 'operator' });
    await async(policy, context({}, { 'x-llmtrace-key': key }));
    expect(sync(policy, context({}, { authorization: `Bearer ${key}` }))).toEqual({
      upstreamHeaders: { authorization: 'Bearer sk-held' },
    });

    await expect(async(policy, context())).rejects.toThrow('missing proxy key: send X-LLMTrace-Key: llmt_…');
    await expect(async(policy, context({}, { 'x-llmtrace-key': 'nope' }))).rejects.toThrow(
      'invalid proxy key',
    );
    const other = context({}, { 'x-llmtrace-key': key, 'x-llmtrace-tenant-id': 'globex' });
    await expect(async(policy, other)).rejects.toMatchObject({ code: 'forbidden' });
    const plainKey = (await createApiKey(metadata, { tenantId: 'plain', role: 'operator' })).key;
    await async(policy, context({}, { 'x-llmtrace-key': plainKey }));
    await expect(async(policy, context({}, { authorization: `Bearer ${plainKey}` }))).rejects.toThrow(
      /^no upstream key is held for this tenant/,
    );
    expect(events.map((e) => e.type)).toEqual(['auth.rejected', 'auth.rejected', 'auth.rejected']);
  });
});

describe('scan, enforcement and output guard', () => {
  const scanner = createScanner();
  const rules = [{ match: 'secret.*', action: 'block' as const }];

  it('answer synchronously with the overrides cached', async () => {
    await warm();
    const ctx = context();
    expect(sync(createInputScanPolicy({ scanner, overrides }), ctx)).toMatchObject({
      findings: expect.any(Array),
    });
    expect(sync(createEnforcementPolicy({ scanner, rules, overrides }), ctx)).toBeUndefined();
    const guard = createOutputGuardPolicy({ scanner, rules, overrides });
    expect(sync(guard, ctx)).toMatchObject({ streamRewriter: expect.any(Function) });
    const embeddings = context({ format: { id: 'openai.embeddings', provider: 'openai' } as ProviderFormat });
    expect(sync(guard, embeddings)).toBeUndefined();
  });

  it('still block as before, as a rejected promise', async () => {
    await warm();
    const ctx = context({
      request: {
        model: 'gpt-4o-mini',
        stream: false,
        params: {},
        messages: [{ role: 'user', content: 'my key is AKIAZ3MSJV4WWXQDEFGH, keep it safe' }],
      },
    });
    await sync(createInputScanPolicy({ scanner, overrides }), ctx);
    await expect(async(createEnforcementPolicy({ scanner, rules, overrides }), ctx)).rejects.toMatchObject({
      code: 'content_policy_violation',
    });
  });
});
