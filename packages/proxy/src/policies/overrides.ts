import type { Logger, MetadataStore } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import { z } from 'zod';
import type { PolicyContext } from '../pipeline/policy.js';
import { type RequestState, requestState } from './state.js';
import type { TenantPolicy } from './types.js';

const severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);

/** Shape of the per-tenant policy JSON in the metadata store (camelCase, every field optional). */
export const tenantPolicySchema = z.object({
  monitoringScope: z.enum(['input_only', 'output_only', 'hybrid']).optional(),
  thresholds: z
    .object({ flag: z.number().min(0).max(100).optional(), block: z.number().min(0).max(100).optional() })
    .optional(),
  rateLimits: z
    .array(
      z.object({
        scope: z.enum(['tenant', 'key', 'agent']),
        requestsPerMinute: z.number().int().positive().optional(),
        tokensPerMinute: z.number().int().positive().optional(),
        burst: z.number().int().min(0).optional(),
        burstWindowSeconds: z.number().int().positive().optional(),
      }),
    )
    .optional(),
  budgets: z
    .array(
      z.object({
        scope: z.enum(['tenant', 'agent']),
        window: z.enum(['hourly', 'daily', 'weekly', 'monthly']),
        softUsd: z.number().nonnegative().optional(),
        hardUsd: z.number().nonnegative().optional(),
      }),
    )
    .optional(),
  tokenCaps: z
    .object({
      maxPromptTokens: z.number().int().positive().optional(),
      maxCompletionTokens: z.number().int().positive().optional(),
      onExcess: z.enum(['reject', 'clamp']).optional(),
    })
    .optional(),
  enforcement: z
    .array(
      z.object({
        match: z.string().min(1),
        action: z.enum(['log', 'flag', 'block', 'redact']),
        minSeverity: severity.optional(),
        minConfidence: z.number().min(0).max(1).optional(),
      }),
    )
    .optional(),
  upstreamKey: z.string().min(1).optional(),
});

/** What {@link TenantOverrides.peek} answers when it holds no fresh value for a tenant. */
export const OVERRIDES_NOT_CACHED: unique symbol = Symbol('overrides not cached');

/** Reads per-tenant overrides with a short cache. */
export interface TenantOverrides {
  /** The tenant's overrides, or `undefined` (none, or unreadable: the defaults apply). */
  get(tenantId: string): Promise<TenantPolicy | undefined>;
  /**
   * What `get` would answer without going to the store: the fresh cached value (which may be
   * `undefined`), else {@link OVERRIDES_NOT_CACHED}. Optional, for implementations without a cache.
   */
  peek?(tenantId: string): TenantPolicy | undefined | typeof OVERRIDES_NOT_CACHED;
  /** Forget a tenant's cached overrides (after an update). */
  invalidate(tenantId?: string): void;
}

/** Options for {@link createTenantOverrides}. */
export interface TenantOverridesOptions {
  metadata: MetadataStore;
  /** Cache lifetime, ms (default 10 000). */
  ttlMs?: number;
  logger?: Logger;
}

/**
 * Per-tenant policy overrides from `MetadataStore.getPolicy`, validated and cached. A stored
 * policy that does not validate is ignored with a warning (the defaults apply), never a failed request.
 *
 * @example
 * const overrides = createTenantOverrides({ metadata });
 * await metadata.setPolicy('acme', { budgets: [{ scope: 'tenant', window: 'daily', hardUsd: 50 }] });
 */
export function createTenantOverrides(options: TenantOverridesOptions): TenantOverrides {
  const ttl = options.ttlMs ?? 10_000;
  const logger = options.logger ?? silentLogger;
  const cache = new Map<string, { value: TenantPolicy | undefined; expires: number }>();
  return {
    async get(tenantId) {
      const now = Date.now();
      const hit = cache.get(tenantId);
      if (hit && hit.expires > now) return hit.value;
      let value: TenantPolicy | undefined;
      try {
        const raw = await options.metadata.getPolicy(tenantId);
        if (raw) {
          const parsed = tenantPolicySchema.safeParse(raw);
          if (parsed.success) value = parsed.data as TenantPolicy;
          else
            logger.warn('ignoring invalid tenant policy', {
              tenantId,
              issue: parsed.error.issues[0]?.message,
            });
        }
      } catch (err) {
        logger.warn('tenant policy unavailable; using defaults', { tenantId, err: String(err) });
        value = hit?.value;
      }
      if (cache.size > 10_000) cache.clear();
      cache.set(tenantId, { value, expires: now + ttl });
      return value;
    },
    peek(tenantId) {
      // Same freshness test as `get`, so both agree on what is cached.
      const hit = cache.get(tenantId);
      return hit && hit.expires > Date.now() ? hit.value : OVERRIDES_NOT_CACHED;
    },
    invalidate(tenantId) {
      if (tenantId === undefined) cache.clear();
      else cache.delete(tenantId);
    },
  };
}

/**
 * A tenant's overrides from `overrides`: at once when its cache holds them, else a (native)
 * promise from `get`. Policies call it on every request, and a cache hit needs no promise or microtask.
 *
 * @example
 * const policy = tenantOverridesOf(overrides, 'acme');
 * const resolved = policy instanceof Promise ? await policy : policy;
 */
export function tenantOverridesOf(
  overrides: TenantOverrides,
  tenantId: string,
): TenantPolicy | undefined | Promise<TenantPolicy | undefined> {
  const cached = overrides.peek ? overrides.peek(tenantId) : OVERRIDES_NOT_CACHED;
  if (cached !== OVERRIDES_NOT_CACHED) return cached;
  // A native promise whatever `get` returns, so callers can tell the two answers apart with `instanceof`.
  return Promise.resolve(overrides.get(tenantId));
}

/**
 * The tenant's overrides for this request, loaded once and shared by every policy: synchronous
 * when the request already holds them or the cache is fresh, a promise only when the store is read.
 *
 * @example
 * const tenant = tenantPolicyFor(context, overrides);
 * const budgets = (tenant instanceof Promise ? await tenant : tenant)?.budgets;
 */
export function tenantPolicyFor(
  context: PolicyContext,
  overrides: TenantOverrides | undefined,
): TenantPolicy | undefined | Promise<TenantPolicy | undefined> {
  if (!overrides) return undefined;
  const state = requestState(context);
  if (state.tenantPolicy !== undefined) return state.tenantPolicy;
  const found = tenantOverridesOf(overrides, context.identity.tenantId);
  if (found instanceof Promise) return remember(state, found);
  state.tenantPolicy = found ?? {};
  return state.tenantPolicy;
}

async function remember(
  state: RequestState,
  found: Promise<TenantPolicy | undefined>,
): Promise<TenantPolicy | undefined> {
  state.tenantPolicy = (await found) ?? {};
  return state.tenantPolicy;
}

/**
 * Run a policy's `decide(context, tenant)` with the request's tenant overrides: at once when they
 * are at hand, after loading them otherwise. A throw from `decide` comes back as a rejected promise,
 * as it did from the `async` checks this replaces, so callers see refusals the same way.
 * `decide` should be created once per policy, not per call, to keep the fast path allocation-free.
 *
 * @example
 * const decide = (context: PolicyContext, tenant: TenantPolicy | undefined) =>
 *   tenant?.monitoringScope === 'input_only' ? undefined : { bodyChanged: false };
 * const policy: RequestPolicy = { name: 'demo', check: (c) => withTenantPolicy(c, overrides, decide) };
 */
export function withTenantPolicy<D>(
  context: PolicyContext,
  overrides: TenantOverrides | undefined,
  decide: (context: PolicyContext, tenant: TenantPolicy | undefined) => D | Promise<D>,
): D | Promise<D> {
  try {
    const tenant = tenantPolicyFor(context, overrides);
    if (tenant instanceof Promise) return tenant.then((t) => decide(context, t));
    return decide(context, tenant);
  } catch (err) {
    return Promise.reject(err);
  }
}
