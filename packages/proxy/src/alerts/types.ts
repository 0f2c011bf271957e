import type { Severity } from '@llmtrace/core';

/**
 * Alert event types LLMTrace emits itself. `type` on {@link AlertEvent} is a plain string so
 * integrations can add their own; these are the stable built-in names.
 */
export type BuiltinAlertType =
  | 'security.finding'
  | 'budget.soft_limit'
  | 'budget.hard_limit'
  | 'rate_limit.storm'
  | 'upstream.error_rate'
  | 'pricing.unpriced_model'
  | 'anomaly.cost_per_request'
  | 'anomaly.tokens_per_request'
  | 'anomaly.latency'
  | 'anomaly.error_rate'
  | 'anomaly.request_velocity';

/** Every built-in alert type, for config validation and docs. */
export const ALERT_TYPES: readonly BuiltinAlertType[] = [
  'security.finding',
  'budget.soft_limit',
  'budget.hard_limit',
  'rate_limit.storm',
  'upstream.error_rate',
  'pricing.unpriced_model',
  'anomaly.cost_per_request',
  'anomaly.tokens_per_request',
  'anomaly.latency',
  'anomaly.error_rate',
  'anomaly.request_velocity',
];

/**
 * One thing an operator should hear about. Delivered to every channel whose filter matches, at
 * most once per cooldown window per {@link AlertEvent.dedupKey}.
 */
export interface AlertEvent {
  /** Unique per event (receivers can use it to ignore retried deliveries). */
  id: string;
  /** Dotted type, e.g. `security.finding`, `budget.hard_limit`, `anomaly.latency`. */
  type: BuiltinAlertType | (string & {});
  severity: Severity;
  tenantId: string;
  agentId?: string;
  model?: string;
  traceId?: string;
  /** One line, human readable. Never holds prompt text or secrets. */
  title: string;
  /** Type-specific facts (finding type, metric value, limit…). JSON-serialisable. */
  details: Record<string, unknown>;
  /** Epoch milliseconds. */
  time: number;
  /** `true` when the condition has cleared (PagerDuty resolves the incident). */
  resolved?: boolean;
  /**
   * Identity of the condition, used for the cooldown window and as PagerDuty's `dedup_key`.
   * Defaults to `<type>:<tenantId>`; finding events use `security.finding:<tenant>:<findingType>`.
   */
  dedupKey?: string;
}

/** What callers pass to `emit`: `id` and `time` are filled in when absent. */
export type AlertEventInput = Omit<AlertEvent, 'id' | 'time'> & Partial<Pick<AlertEvent, 'id' | 'time'>>;

/** Which events a channel wants. Every present field must match. */
export interface AlertFilter {
  /** Lowest severity delivered. Default `info` (everything). */
  minSeverity?: Severity;
  /** Exact types, or prefixes ending in `*` (`security.*`, `anomaly.*`). Default: all types. */
  eventTypes?: readonly string[];
  /** Tenant ids. Default: all tenants. */
  tenants?: readonly string[];
}

/** One delivery target. `send` throws (preferably an `AlertDeliveryError`) when delivery fails. */
export interface AlertChannel {
  /** Shown in logs and stats, e.g. `webhook`, `slack:#sec-alerts`. */
  readonly name: string;
  readonly filter: AlertFilter;
  send(event: AlertEvent): Promise<void>;
}

/** Stores events so they can be queried later (e.g. by the API). Errors are logged, never thrown. */
export interface AlertHistorySink {
  recordEvent(event: AlertEvent): void | Promise<void>;
}

/** The fetch signature channels use; the global `fetch` by default. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;
