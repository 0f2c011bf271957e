import type { Severity } from '@llmtrace/core';
import type { ModelPrice } from '../pricing/types.js';

/** What to do with a security finding: record it, flag the response, refuse the request, or redact. */
export type EnforcementAction = 'log' | 'flag' | 'block' | 'redact';

/**
 * One enforcement rule. `match` is a finding type (`pii.email`), a prefix with `*`
 * (`secret.*`), or `*` for every type. The first matching rule whose thresholds pass decides.
 */
export interface EnforcementRule {
  match: string;
  action: EnforcementAction;
  /** Findings below this severity are ignored by the rule (default `info`). */
  minSeverity?: Severity;
  /** Findings below this confidence (0–1) are ignored by the rule (default 0). */
  minConfidence?: number;
}

/** Which sides of a call are enforced for a tenant. */
export type MonitoringScope = 'input_only' | 'output_only' | 'hybrid';

/** Rolling budget windows. */
export type BudgetWindow = 'hourly' | 'daily' | 'weekly' | 'monthly';

/** A budget over one window, for a tenant or for each agent of a tenant. */
export interface BudgetRule {
  scope: 'tenant' | 'agent';
  window: BudgetWindow;
  /** Crossing it emits a `budget.soft_limit` event (alert); traffic continues. */
  softUsd?: number;
  /** A request whose worst-case cost would cross it is refused with 429 `budget_exceeded`. */
  hardUsd?: number;
}

/** Requests and tokens per minute, with an optional burst allowance on top. */
export interface RateLimitRule {
  scope: 'tenant' | 'key' | 'agent';
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Extra requests (and the same share of tokens) allowed over `burstWindowSeconds`. Default 0. */
  burst?: number;
  /** Default 60. */
  burstWindowSeconds?: number;
}

/** Token caps per request. */
export interface TokenCaps {
  /** Refuse prompts estimated above this many tokens (400). */
  maxPromptTokens?: number;
  /** Cap on `max_tokens` (and its aliases). */
  maxCompletionTokens?: number;
  /** Over the cap: refuse (400) or lower it to the cap. Default `clamp`. */
  onExcess?: 'reject' | 'clamp';
}

/**
 * Per-tenant overrides kept in the metadata store (`MetadataStore.setPolicy`). Every field is
 * optional; a missing field falls back to the proxy-wide configuration.
 */
export interface TenantPolicy {
  monitoringScope?: MonitoringScope;
  /** Score thresholds for the input scan verdict (0–100). */
  thresholds?: { flag?: number; block?: number };
  rateLimits?: RateLimitRule[];
  budgets?: BudgetRule[];
  tokenCaps?: TokenCaps;
  enforcement?: EnforcementRule[];
  /** An upstream API key held server-side for this tenant; sent as `Authorization: Bearer …`. */
  upstreamKey?: string;
}

/** Looks up a model's price (USD per million input and output tokens); `undefined` when unknown. */
export type PriceLookup = (model: string) => Pick<ModelPrice, 'input' | 'output'> | undefined;

/** Events the policies emit for alerting and auditing. */
export type PolicyEvent =
  | {
      type: 'budget.soft_limit' | 'budget.hard_limit';
      tenantId: string;
      agentId?: string;
      window: BudgetWindow;
      spentUsd: number;
      limitUsd: number;
    }
  | {
      type: 'rate_limit.exceeded';
      tenantId: string;
      scope: RateLimitRule['scope'];
      kind: 'requests' | 'tokens';
    }
  | { type: 'store.degraded'; component: 'rate_limit' | 'budget'; detail: string }
  | { type: 'auth.rejected'; reason: string };

/** Receives {@link PolicyEvent}s. Must not throw. */
export type PolicyEventListener = (event: PolicyEvent) => void;

/** What a store outage does: keep serving with per-process limits (`open`) or refuse (`closed`). */
export type FailMode = 'open' | 'closed';
