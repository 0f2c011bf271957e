import { createRequire } from 'node:module';
import type { CounterStore, Logger, MetadataStore } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import {
  type BudgetPolicy,
  createAuthPolicy,
  createBudgetPolicy,
  createEnforcementPolicy,
  createInputScanPolicy,
  createOutputGuardPolicy,
  createRateLimitPolicy,
  createTenantOverrides,
  createTokenCapPolicy,
  type EnforcementRule,
  type PolicyEventListener,
  type PriceLookup,
  type PromptTokenEstimator,
  type RequestPolicy,
  type TenantOverrides,
} from '@llmtrace/gateway';
import type { Scanner } from '@llmtrace/security';
import { createMemoryCounterStore } from '@llmtrace/storage/memory';
import type { Redis as RedisClient } from 'ioredis';
import { type PoliciesConfig, policiesConfigSchema, policiesConfigShape } from './config/policies-schema.js';

/** What the policies need from the rest of the app. */
export interface PolicyDeps {
  /** Tenants, key hashes and per-tenant overrides (`openStorage().metadata`). */
  metadata: MetadataStore;
  /** Shared counters for budgets (`openStorage().counters`: Redis when `storage.redis_url` is set). */
  counters: CounterStore;
  /** Input and output scanning; without one, enforcement and the output guard are off. */
  scanner?: Scanner;
  /** Model prices in USD per million tokens (`createPricing().price`). */
  priceOf: PriceLookup;
  /** Prompt token estimate (`estimatePromptTokens` from the gateway). */
  estimatePromptTokens?: PromptTokenEstimator;
  /** Redis for shared rate limits when `rate_limits.redis_url` is unset (`storage.redis_url`). */
  redisUrl?: string;
  logger?: Logger;
  /** Budget alerts, rate-limit and degradation events (wire to the alert manager). */
  onEvent?: PolicyEventListener;
}

/** The configured policies, in pipeline order, plus what the app needs afterwards. */
export interface ConfiguredPolicies {
  /** Pass to `createGateway({ policies })`. */
  policies: RequestPolicy[];
  /** The budget policy (for `spend`), when budgets are configured. */
  budgets?: BudgetPolicy;
  overrides?: TenantOverrides;
  /** Close the Redis connection the rate limiter opened, if any. */
  close(): Promise<void>;
}

const rules = (list: PoliciesConfig['enforcement']['rules']): EnforcementRule[] =>
  list.map((r) => ({
    match: r.match,
    action: r.action,
    minSeverity: r.min_severity,
    minConfidence: r.min_confidence,
  }));

/**
 * Build the request policies from configuration, in the order they must run: authentication, rate
 * limits, token caps, input scan and enforcement, budgets (reserved last, so a refused request
 * reserves nothing), output guard.
 *
 * @example
 * const { policies, close } = createPoliciesFromConfig(config, { metadata, counters, scanner, priceOf: (m) => pricing.price(m) });
 * createGateway({ ..., policies });
 */
export function createPoliciesFromConfig(config: PoliciesConfig, deps: PolicyDeps): ConfiguredPolicies {
  const logger = deps.logger ?? silentLogger;
  const onEvent = deps.onEvent;
  const estimate = deps.estimatePromptTokens;
  const overrides = config.tenant_policies.enabled
    ? createTenantOverrides({ metadata: deps.metadata, ttlMs: config.tenant_policies.cache_ttl_ms, logger })
    : undefined;
  const policies: RequestPolicy[] = [];
  let redis: RedisClient | undefined;

  if (config.auth.enabled) {
    policies.push(
      createAuthPolicy({
        metadata: deps.metadata,
        pepper: config.auth.key_pepper,
        bootstrapKey: config.auth.bootstrap_key,
        bootstrapTenant: config.auth.bootstrap_tenant,
        cacheTtlMs: config.auth.cache_ttl_ms,
        overrides,
        onEvent,
      }),
    );
  }

  const rl = config.rate_limits;
  if (rl.rules.length > 0) {
    if (rl.backend === 'redis') {
      const url = rl.redis_url ?? deps.redisUrl;
      if (!url)
        throw new Error(
          'rate_limits.backend is redis but neither rate_limits.redis_url nor storage.redis_url is set',
        );
      // No offline queue: during an outage calls fail at once and the per-process fallback takes over.
      // Loaded only here: a proxy without shared rate limits never pays for the client.
      const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
      redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      redis.on('error', (err: Error) =>
        logger.warn('rate limit redis: connection error', { error: err.message }),
      );
      redis.connect().catch(() => undefined);
    }
    policies.push(
      createRateLimitPolicy({
        rules: rl.rules.map((r) => ({
          scope: r.scope,
          requestsPerMinute: r.requests_per_minute,
          tokensPerMinute: r.tokens_per_minute,
          burst: r.burst,
          burstWindowSeconds: r.burst_window_seconds,
        })),
        redis,
        keyPrefix: rl.key_prefix,
        failMode: rl.fail_mode,
        estimatePromptTokens: estimate,
        defaultCompletionTokens: rl.default_completion_tokens,
        overrides,
        onEvent,
        logger,
      }),
    );
  }

  const caps = config.token_caps;
  if (caps.max_prompt_tokens !== undefined || caps.max_completion_tokens !== undefined || overrides) {
    policies.push(
      createTokenCapPolicy({
        maxPromptTokens: caps.max_prompt_tokens,
        maxCompletionTokens: caps.max_completion_tokens,
        onExcess: caps.on_excess,
        estimatePromptTokens: estimate,
        overrides,
      }),
    );
  }

  // Only with rules: the scan then runs on the request path (tenant overrides can tune the rules).
  if (deps.scanner && config.enforcement.enabled && config.enforcement.rules.length > 0) {
    const opts = { scanner: deps.scanner, rules: rules(config.enforcement.rules), overrides };
    policies.push(createInputScanPolicy(opts), createEnforcementPolicy(opts));
  } else if (!deps.scanner && config.enforcement.rules.length > 0) {
    logger.warn('enforcement rules are set but security scanning is disabled: they will not apply');
  }

  let budgets: BudgetPolicy | undefined;
  const b = config.budgets;
  if (b.rules.length > 0 || overrides) {
    budgets = createBudgetPolicy({
      rules: b.rules.map((r) => ({
        scope: r.scope,
        window: r.window,
        softUsd: r.soft_usd,
        hardUsd: r.hard_usd,
      })),
      counters: deps.counters,
      fallback: createMemoryCounterStore(),
      failMode: b.fail_mode,
      priceOf: deps.priceOf,
      estimatePromptTokens: estimate,
      defaultCompletionTokens: b.default_completion_tokens,
      keyPrefix: b.key_prefix,
      overrides,
      onEvent,
      logger,
    });
    policies.push(budgets);
  }

  const og = config.output_guard;
  if (og.enabled && deps.scanner) {
    policies.push(
      createOutputGuardPolicy({
        scanner: deps.scanner,
        rules: rules(og.rules),
        holdbackChars: og.holdback_chars,
        maxHoldChars: og.max_hold_chars,
        overrides,
      }),
    );
  }

  return {
    policies,
    budgets,
    overrides,
    async close() {
      if (redis && redis.status !== 'end') await redis.quit().catch(() => redis?.disconnect());
    },
  };
}

/**
 * The policy keys of a resolved configuration, with defaults for any the root schema does not
 * carry (yet), so commands work the same before and after the keys are plugged in.
 */
export function policiesConfigOf(config: object): PoliciesConfig {
  const c = config as Record<string, unknown>;
  return policiesConfigSchema.parse(
    Object.fromEntries(Object.keys(policiesConfigShape).map((k) => [k, c[k]])),
  );
}
