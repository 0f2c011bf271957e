import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { type Logger, type Span, silentLogger } from '@llmtrace/core';
import type * as RateLimiterLibrary from 'rate-limiter-flexible';
import type { RateLimiterMemory, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import type { PolicyContext, PolicyDecision, RequestPolicy } from '../pipeline/policy.js';
import { type PromptTokenEstimator, promptTokensOf, roughPromptTokens } from './estimate.js';
import { type TenantOverrides, withTenantPolicy } from './overrides.js';
import { PolicyRejection } from './rejection.js';
import { requestState } from './state.js';
import type { FailMode, PolicyEventListener, RateLimitRule, TenantPolicy } from './types.js';

/** Options for {@link createRateLimitPolicy}. */
export interface RateLimitPolicyOptions {
  /** Default rules (a tenant's `rateLimits` override replaces them). */
  rules: readonly RateLimitRule[];
  /**
   * An ioredis client shared by every replica; without one, limits are per process. Create it with
   * `enableOfflineQueue: false` so an outage is noticed at once instead of queueing requests.
   */
  redis?: unknown;
  /** Prefix of Redis keys (default `llmtrace:rl:`). */
  keyPrefix?: string;
  /** On a Redis error: `open` falls back to per-process limits (default), `closed` refuses with 429. */
  failMode?: FailMode;
  /**
   * Longest wait for Redis per check, ms (default 250); longer counts as a Redis error, so a
   * Redis that stops answering (rather than refusing connections) never holds requests up.
   */
  storeTimeoutMs?: number;
  estimatePromptTokens?: PromptTokenEstimator;
  /** Completion tokens counted up front when the request sets no `max_tokens` (default 0). */
  defaultCompletionTokens?: number;
  overrides?: TenantOverrides;
  onEvent?: PolicyEventListener;
  logger?: Logger;
}

type Store = RateLimiterMemory | RLWrapperTimeouts;

/** A limit with its optional burst allowance; corrections go to the main window. */
interface Limiter {
  consume(key: string, points: number): Promise<RateLimiterRes>;
  main: Store;
  burst?: Store;
}

interface Usage {
  limiter: Limiter;
  key: string;
  points: number;
  kind: 'requests' | 'tokens';
}

const WINDOW_S = 60;

type Library = typeof RateLimiterLibrary;
let library: Library | undefined;

/** rate-limiter-flexible, loaded with the first rate-limit policy: a proxy without one never pays for it. */
function rateLimiters(): Library {
  library ??= createRequire(import.meta.url)('rate-limiter-flexible') as Library;
  return library;
}

/** A memory limiter that reports when it stands in for Redis (the library calls it on Redis errors). */
function insuranceLimiter(
  opts: ConstructorParameters<typeof RateLimiterMemory>[0],
  onUse: () => void,
): RateLimiterMemory {
  const limiter = new (rateLimiters().RateLimiterMemory)(opts);
  const consume = limiter.consume.bind(limiter);
  limiter.consume = (...args) => {
    onUse();
    return consume(...args);
  };
  return limiter;
}

function resetSeconds(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))}s`;
}

/**
 * Requests-per-minute and tokens-per-minute limits per tenant, key or agent, with burst, built on
 * rate-limiter-flexible (memory, or Redis so replicas share one limit). Over the limit the request
 * gets 429 with `Retry-After`; every answer carries OpenAI's `x-ratelimit-*` headers. Tokens are
 * counted up front (prompt estimate + `max_tokens`) and corrected to the real usage when the call ends.
 *
 * @example
 * createRateLimitPolicy({ rules: [{ scope: 'tenant', requestsPerMinute: 600, tokensPerMinute: 200_000 }] });
 */
export function createRateLimitPolicy(options: RateLimitPolicyOptions): RequestPolicy {
  const logger = options.logger ?? silentLogger;
  const prefix = options.keyPrefix ?? 'llmtrace:rl:';
  const failMode = options.failMode ?? 'open';
  const estimate = options.estimatePromptTokens ?? roughPromptTokens;
  const { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } =
    rateLimiters();
  const limiters = new Map<string, Limiter>();
  let lastWarn = 0;
  const degraded = (): void => {
    const now = Date.now();
    if (now - lastWarn < 10_000) return;
    lastWarn = now;
    logger.warn('rate limit store unavailable: enforcing per-process limits until it recovers');
    options.onEvent?.({
      type: 'store.degraded',
      component: 'rate_limit',
      detail: 'redis unavailable; per-process limits',
    });
  };

  const make = (name: string, points: number, duration: number): Store => {
    const keyPrefix = `${prefix}${name}`;
    if (!options.redis) return new RateLimiterMemory({ keyPrefix, points, duration });
    const shared = new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter:
        failMode === 'open' ? insuranceLimiter({ keyPrefix, points, duration }, degraded) : undefined,
    });
    // A timed-out call goes to the insurance limiter (fail-open) or fails (fail-closed), like an error.
    return new RLWrapperTimeouts({ limiter: shared, timeoutMs: options.storeTimeoutMs ?? 250 });
  };
  const limiterFor = (kind: 'rq' | 'tk', points: number, burst: number, burstWindow: number): Limiter => {
    const id = `${kind}:${points}:${burst}:${burstWindow}`;
    let l = limiters.get(id);
    if (!l) {
      const main = make(`${kind}:${points}:`, points, WINDOW_S);
      const bursty =
        burst > 0
          ? new BurstyRateLimiter(main, make(`${kind}b:${burst}:${burstWindow}:`, burst, burstWindow))
          : undefined;
      l = { main, consume: (key, n) => (bursty ?? main).consume(key, n) };
      limiters.set(id, l);
    }
    return l;
  };

  const subject = (rule: RateLimitRule, context: PolicyContext): string | undefined => {
    const t = context.identity.tenantId;
    if (rule.scope === 'tenant') return `t:${t}`;
    if (rule.scope === 'agent')
      return context.identity.agentId ? `a:${t}:${context.identity.agentId}` : undefined;
    const keyId = requestState(context).keyId;
    if (keyId) return `k:${keyId}`;
    // Without proxy keys, "per key" means per upstream API key (hashed: never kept in the clear).
    return context.apiKey
      ? `u:${createHash('sha256').update(context.apiKey).digest('hex').slice(0, 32)}`
      : undefined;
  };

  // Synchronous when the tenant has no rules (its overrides at hand): nothing to count, no promise.
  const decide = (
    context: PolicyContext,
    tenant: TenantPolicy | undefined,
  ): Promise<PolicyDecision | undefined> | undefined => {
    const rules = tenant?.rateLimits ?? options.rules;
    return rules.length === 0 ? undefined : limit(context, rules);
  };

  /** Count the request against every rule, refuse over a limit, and report what is left. */
  const limit = async (context: PolicyContext, rules: readonly RateLimitRule[]): Promise<PolicyDecision> => {
    const tokens = context.request
      ? promptTokensOf(context, estimate) +
        (context.request.maxTokens ?? options.defaultCompletionTokens ?? 0)
      : 0;
    interface Check {
      rule: RateLimitRule;
      key: string;
      kind: 'requests' | 'tokens';
      limit: number;
      points: number;
      limiter: Limiter;
    }
    const checks: Check[] = [];
    for (const rule of rules) {
      const key = subject(rule, context);
      if (!key) continue;
      const burst = rule.burst ?? 0;
      const burstWindow = rule.burstWindowSeconds ?? WINDOW_S;
      if (rule.requestsPerMinute) {
        const limiter = limiterFor('rq', rule.requestsPerMinute, burst, burstWindow);
        checks.push({ rule, key, kind: 'requests', limit: rule.requestsPerMinute, points: 1, limiter });
      }
      if (rule.tokensPerMinute && tokens > 0) {
        const tokenBurst =
          rule.requestsPerMinute && burst > 0
            ? Math.ceil((rule.tokensPerMinute * burst) / rule.requestsPerMinute)
            : 0;
        const limiter = limiterFor('tk', rule.tokensPerMinute, tokenBurst, burstWindow);
        checks.push({ rule, key, kind: 'tokens', limit: rule.tokensPerMinute, points: tokens, limiter });
      }
    }
    // All limits at once: with Redis that is one round trip of latency instead of one per limit.
    const results = await Promise.allSettled(checks.map((c) => c.limiter.consume(c.key, c.points)));
    const headers: Record<string, string> = {};
    const remaining: Partial<Record<Check['kind'], number>> = {};
    const taken: Usage[] = [];
    let refused: { check: Check; res: RateLimiterRes } | undefined;
    let storeError: unknown;
    results.forEach((r, i) => {
      const c = checks[i]!;
      if (r.status === 'fulfilled') {
        taken.push({ limiter: c.limiter, key: c.key, points: c.points, kind: c.kind });
        const left = Math.max(0, r.value.remainingPoints);
        // Several rules limit the same kind: show the tightest, as OpenAI does.
        if (remaining[c.kind] === undefined || left < remaining[c.kind]!) {
          remaining[c.kind] = left;
          headers[`x-ratelimit-limit-${c.kind}`] = String(c.limit);
          headers[`x-ratelimit-remaining-${c.kind}`] = String(left);
          headers[`x-ratelimit-reset-${c.kind}`] = resetSeconds(r.value.msBeforeNext);
        }
      } else if (r.reason instanceof RateLimiterRes) {
        if (!refused || r.reason.msBeforeNext > refused.res.msBeforeNext)
          refused = { check: c, res: r.reason };
        // The library counts refused attempts too; a refused request should not use up the quota.
        for (const l of [c.limiter.main, c.limiter.burst]) l?.reward(c.key, c.points).catch(() => undefined);
      } else storeError = r.reason;
    });
    if (refused || storeError !== undefined) {
      await Promise.all(taken.map((u) => u.limiter.main.reward(u.key, u.points).catch(() => undefined)));
    }
    if (refused) {
      const { check: c, res } = refused;
      options.onEvent?.({
        type: 'rate_limit.exceeded',
        tenantId: context.identity.tenantId,
        scope: c.rule.scope,
        kind: c.kind,
      });
      const retry = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      throw new PolicyRejection(
        'rate_limit_exceeded',
        `Rate limit reached for ${c.kind} per minute (${c.rule.scope}): limit ${c.limit}. Try again in ${retry}s.`,
        {
          ...headers,
          'retry-after': String(retry),
          [`x-ratelimit-limit-${c.kind}`]: String(c.limit),
          [`x-ratelimit-remaining-${c.kind}`]: '0',
          [`x-ratelimit-reset-${c.kind}`]: resetSeconds(res.msBeforeNext),
        },
      );
    }
    if (storeError !== undefined) {
      // Redis failed and there is no insurance limiter: fail closed.
      logger.warn('rate limit store unavailable: refusing traffic (fail-closed)', {
        err: String(storeError),
      });
      throw new PolicyRejection('rate_limit_exceeded', 'rate limit store unavailable', {
        'retry-after': '1',
      });
    }
    const tokenUses = taken.filter((u) => u.kind === 'tokens');
    const decision: PolicyDecision = { responseHeaders: headers };
    if (tokens > 0 && tokenUses.length > 0) {
      decision.onFinish = (span: Span) => {
        // Correct the up-front count to what the call really used (nothing, when it never ran).
        const used = span.totalTokens > 0 ? span.totalTokens : span.status === 'ok' ? tokens : 0;
        const diff = used - tokens;
        if (diff === 0) return;
        for (const u of tokenUses) {
          const p = diff > 0 ? u.limiter.main.penalty(u.key, diff) : u.limiter.main.reward(u.key, -diff);
          p.catch(() => undefined);
        }
      };
    }
    return decision;
  };

  return {
    name: 'rate-limit',
    check: (context) => withTenantPolicy(context, options.overrides, decide),
  };
}
