import { type CounterStore, type Logger, type Span, silentLogger } from '@llmtrace/core';
import type { PolicyContext, PolicyDecision, RequestPolicy } from '../pipeline/policy.js';
import { type PromptTokenEstimator, promptTokensOf, roughPromptTokens } from './estimate.js';
import { createFallbackCounters, type FallbackCounters } from './fallback-counters.js';
import { type TenantOverrides, withTenantPolicy } from './overrides.js';
import { PolicyRejection } from './rejection.js';
import type {
  BudgetRule,
  BudgetWindow,
  FailMode,
  PolicyEventListener,
  PriceLookup,
  TenantPolicy,
} from './types.js';
import { bucketOf, previousBucket, previousWeight } from './windows.js';

/** Options for {@link createBudgetPolicy}. */
export interface BudgetPolicyOptions {
  /** Default budgets (a tenant's `budgets` override replaces them). */
  rules: readonly BudgetRule[];
  /** Where spend is counted: memory for one process, Redis for many. */
  counters: CounterStore;
  /** Per-process store used when `counters` fails and `failMode` is `open`. */
  fallback?: CounterStore;
  failMode?: FailMode;
  /** Model prices (USD per million tokens), for the worst-case reservation. */
  priceOf: PriceLookup;
  estimatePromptTokens?: PromptTokenEstimator;
  /** Completion tokens assumed when a request sets no `max_tokens` (default 4096). */
  defaultCompletionTokens?: number;
  /** Prefix of counter keys (default `budget:`). */
  keyPrefix?: string;
  overrides?: TenantOverrides;
  onEvent?: PolicyEventListener;
  logger?: Logger;
}

/** Spend in one window for a tenant (or one of its agents). */
export interface WindowSpend {
  scope: 'tenant' | 'agent';
  agentId?: string;
  window: BudgetWindow;
  /** Spent (and reserved) in the current calendar bucket, USD. */
  spentUsd: number;
  /** Rolling estimate over the last full window (current bucket + weighted previous), USD. */
  rollingUsd: number;
  softUsd?: number;
  hardUsd?: number;
  /** Current bucket, epoch ms (UTC calendar). */
  windowStart: number;
  windowEnd: number;
}

/** The budget policy plus its spend reader. */
export interface BudgetPolicy extends RequestPolicy {
  /** Spend per configured window for a tenant (and an agent, for agent budgets). */
  spend(tenantId: string, options?: { agentId?: string; at?: number }): Promise<WindowSpend[]>;
}

interface Reservation {
  key: string;
  ttlMs: number;
  store: CounterStore;
  rule: BudgetRule;
  prevMicro: number;
  agentId?: string;
}

const MICRO = 1_000_000;
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** A rule counts for a request when it has a limit and, for an agent budget, the request names an agent. */
function applies(rule: BudgetRule, agentId: string | undefined): boolean {
  return (rule.scope === 'tenant' || !!agentId) && (rule.hardUsd !== undefined || rule.softUsd !== undefined);
}

/** {@link applies} for any of `rules`, without building the filtered list. */
function anyApplies(rules: readonly BudgetRule[], agentId: string | undefined): boolean {
  for (const rule of rules) if (applies(rule, agentId)) return true;
  return false;
}

/** Micro-dollars for a number of tokens at a price per million tokens. */
function micro(tokens: number, perMillion: number): number {
  return tokens * perMillion;
}

/**
 * Budgets per tenant and per agent over rolling hourly, daily, weekly and monthly windows. Before a
 * request is forwarded, its worst-case cost (prompt estimate + `max_tokens`, at the model's price)
 * is reserved atomically against every hard limit (`incrIfBelow`, so replicas sharing Redis never
 * overspend together); when the call ends the reservation is settled to the real cost, or released
 * when the call failed without usage. Crossing a soft limit emits `budget.soft_limit`.
 *
 * Windows are rolling in the sliding-window sense: spend counts per UTC calendar bucket, and the
 * limit applies to the current bucket plus the previous one weighted by how much of it is still
 * inside the window.
 *
 * @example
 * const budgets = createBudgetPolicy({ rules: [{ scope: 'tenant', window: 'daily', hardUsd: 50 }], counters, priceOf });
 * await budgets.spend('acme');
 */
export function createBudgetPolicy(options: BudgetPolicyOptions): BudgetPolicy {
  const logger = options.logger ?? silentLogger;
  const prefix = options.keyPrefix ?? 'budget:';
  const estimate = options.estimatePromptTokens ?? roughPromptTokens;
  const counters: FallbackCounters = options.fallback
    ? createFallbackCounters({
        primary: options.counters,
        fallback: options.fallback,
        failMode: options.failMode,
        logger,
        onEvent: options.onEvent,
      })
    : {
        incrIfBelow: async (k, d, l, t) => ({
          ...(await options.counters.incrIfBelow(k, d, l, t)),
          store: options.counters,
        }),
        get: (k) => options.counters.get(k),
        close: async () => undefined,
      };

  const keyFor = (
    rule: BudgetRule,
    tenantId: string,
    agentId: string | undefined,
    bucketId: string,
  ): string =>
    `${prefix}${rule.scope === 'agent' ? `a:${tenantId}:${agentId}` : `t:${tenantId}`}:${rule.window}:${bucketId}`;

  /** A tenant's rules outside a request (for `spend`): its override, else the defaults. */
  const rulesFor = async (tenantId: string): Promise<readonly BudgetRule[]> =>
    (options.overrides ? (await options.overrides.get(tenantId))?.budgets : undefined) ?? options.rules;

  const release = (reservations: readonly Reservation[], delta: number): void => {
    for (const r of reservations) {
      if (delta === 0) continue;
      r.store
        .incrBy(r.key, delta, r.ttlMs)
        .catch((err: unknown) => logger.warn('budget settlement failed', { err: String(err) }));
    }
  };

  // Synchronous when no budget applies (the usual case without budget rules), so such a request
  // costs neither a promise nor a copy of the rules; otherwise the reservation below.
  const decide = (
    context: PolicyContext,
    tenant: TenantPolicy | undefined,
  ): PolicyDecision | undefined | Promise<PolicyDecision | undefined> => {
    const rules = tenant?.budgets ?? options.rules;
    return anyApplies(rules, context.identity.agentId) ? reserve(context, rules) : undefined;
  };

  const check = (
    context: PolicyContext,
  ): PolicyDecision | undefined | Promise<PolicyDecision | undefined> => {
    // Not an API call this proxy understands: skip even the overrides look-up.
    if (!context.format) return undefined;
    return withTenantPolicy(context, options.overrides, decide);
  };

  /** Reserve the worst-case cost against every budget of `tenantRules` that applies. */
  const reserve = async (
    context: PolicyContext,
    tenantRules: readonly BudgetRule[],
  ): Promise<PolicyDecision | undefined> => {
    const { tenantId, agentId } = context.identity;
    const rules = tenantRules.filter((r) => applies(r, agentId));
    // No budget applies: the request is not even parsed (that waits until the span is built).
    if (rules.length === 0) return undefined;
    const request = context.request;
    if (!request) return undefined;
    const price = options.priceOf(request.model);
    const promptTokens = promptTokensOf(context, estimate);
    const worst = price
      ? Math.ceil(
          micro(promptTokens, price.input) +
            micro(request.maxTokens ?? options.defaultCompletionTokens ?? 4096, price.output),
        )
      : 0;
    const now = Date.now();
    const plans = rules.map((rule) => {
      const bucket = bucketOf(rule.window, now);
      const agent = rule.scope === 'agent' ? agentId : undefined;
      return {
        rule,
        bucket,
        agent,
        key: keyFor(rule, tenantId, agent, bucket.id),
        prevKey: keyFor(rule, tenantId, agent, previousBucket(rule.window, bucket).id),
        weight: previousWeight(bucket, now),
        ttlMs: bucket.end - now + (bucket.end - bucket.start),
      };
    });
    // Every window at once: with Redis, two round trips of latency however many budgets apply.
    const prevs = await Promise.all(
      plans.map(async (p) => (p.weight > 0 ? Math.ceil((await counters.get(p.prevKey)) * p.weight) : 0)),
    );
    const results = await Promise.allSettled(
      plans.map((p, i) => {
        const limit =
          p.rule.hardUsd === undefined
            ? NO_LIMIT
            : Math.max(0, Math.floor(p.rule.hardUsd * MICRO) - prevs[i]!);
        return counters.incrIfBelow(p.key, worst, limit, p.ttlMs);
      }),
    );
    const reservations: Reservation[] = [];
    const rolling: number[] = [];
    let refusedAt = -1;
    let failure: unknown;
    results.forEach((r, i) => {
      const p = plans[i]!;
      if (r.status === 'rejected') failure ??= r.reason;
      else if (r.value.ok) {
        reservations.push({
          key: p.key,
          ttlMs: p.ttlMs,
          store: r.value.store,
          rule: p.rule,
          prevMicro: prevs[i]!,
          agentId: p.agent,
        });
        rolling.push(r.value.value + prevs[i]!);
      } else if (refusedAt < 0) refusedAt = i;
    });
    if (failure !== undefined || refusedAt >= 0) release(reservations, -worst);
    if (failure !== undefined) throw failure;
    if (refusedAt >= 0) {
      const p = plans[refusedAt]!;
      const value = (results[refusedAt] as PromiseFulfilledResult<{ value: number }>).value.value;
      const spentUsd = (value + prevs[refusedAt]!) / MICRO;
      options.onEvent?.({
        type: 'budget.hard_limit',
        tenantId,
        agentId: p.agent,
        window: p.rule.window,
        spentUsd,
        limitUsd: p.rule.hardUsd ?? 0,
      });
      const retry = Math.max(1, Math.ceil((p.bucket.end - now) / 1000));
      throw new PolicyRejection(
        'budget_exceeded',
        `${p.rule.window} budget of $${p.rule.hardUsd} for this ${p.rule.scope} is exhausted ($${spentUsd.toFixed(4)} spent or reserved)`,
        // Retrying will not help before the window moves: tell the OpenAI SDKs not to.
        { 'retry-after': String(retry), 'x-should-retry': 'false' },
      );
    }
    for (const [i, r] of reservations.entries()) softCheck(r.rule, tenantId, r.agentId, rolling[i]!, worst);

    return {
      onFinish(span: Span) {
        // Nothing was produced: give the whole reservation back.
        const failed = span.status !== 'ok' && span.totalTokens === 0;
        let actual = 0;
        if (!failed) {
          if (span.costUsd !== undefined) actual = Math.round(span.costUsd * MICRO);
          else if (price)
            actual = Math.round(
              micro(span.promptTokens, price.input) + micro(span.completionTokens, price.output),
            );
        }
        const delta = actual - worst;
        release(reservations, delta);
        if (delta > 0) for (const r of reservations) void settleSoftCheck(r, tenantId, delta);
      },
    };
  };

  const softCheck = (
    rule: BudgetRule,
    tenantId: string,
    agentId: string | undefined,
    rollingMicro: number,
    added: number,
  ): void => {
    if (rule.softUsd === undefined) return;
    const soft = rule.softUsd * MICRO;
    if (rollingMicro >= soft && rollingMicro - added < soft) {
      options.onEvent?.({
        type: 'budget.soft_limit',
        tenantId,
        agentId,
        window: rule.window,
        spentUsd: rollingMicro / MICRO,
        limitUsd: rule.softUsd,
      });
    }
  };
  const settleSoftCheck = async (r: Reservation, tenantId: string, added: number): Promise<void> => {
    if (r.rule.softUsd === undefined) return;
    try {
      softCheck(r.rule, tenantId, r.agentId, (await r.store.get(r.key)) + r.prevMicro, added);
    } catch {
      // alerting only
    }
  };

  return {
    name: 'budget',
    check,
    async spend(tenantId, spendOptions = {}) {
      const at = spendOptions.at ?? Date.now();
      const out: WindowSpend[] = [];
      for (const rule of await rulesFor(tenantId)) {
        if (rule.scope === 'agent' && !spendOptions.agentId) continue;
        const agentId = rule.scope === 'agent' ? spendOptions.agentId : undefined;
        const bucket = bucketOf(rule.window, at);
        const cur = await counters.get(keyFor(rule, tenantId, agentId, bucket.id));
        const prev = await counters.get(
          keyFor(rule, tenantId, agentId, previousBucket(rule.window, bucket).id),
        );
        out.push({
          scope: rule.scope,
          agentId,
          window: rule.window,
          spentUsd: cur / MICRO,
          rollingUsd: (cur + prev * previousWeight(bucket, at)) / MICRO,
          softUsd: rule.softUsd,
          hardUsd: rule.hardUsd,
          windowStart: bucket.start,
          windowEnd: bucket.end,
        });
      }
      return out;
    },
  };
}
