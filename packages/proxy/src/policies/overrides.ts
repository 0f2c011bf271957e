import type { Logger, MetadataStore } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import { z } from 'zod';
import type { PolicyContext } from '../pipeline/policy.js';
import { requestState } from './state.js';
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

/** Reads per-tenant overrides with a short cache. */
export interface TenantOverrides {
  /** The tenant's overrides, or `undefined` (none, or unreadable: the defaults apply). */
  get(tenantId: string): Promise<TenantPolicy | undefined>;
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
    invalidate(tenantId) {
      if (tenantId === undefined) cache.clear();
      else cache.delete(tenantId);
    },
  };
}

/** The tenant's overrides for this request, loaded once and shared by every policy. */
export async function tenantPolicyFor(
  context: PolicyContext,
  overrides: TenantOverrides | undefined,
): Promise<TenantPolicy | undefined> {
  if (!overrides) return undefined;
  const state = requestState(context);
  if (state.tenantPolicy === undefined)
    state.tenantPolicy = (await overrides.get(context.identity.tenantId)) ?? {};
  return state.tenantPolicy;
}
