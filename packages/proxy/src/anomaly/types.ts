import type { AlertEventInput } from '../alerts/types.js';

/** What the anomaly detector watches, per tenant and per tenant + agent. */
export type AnomalyMetric =
  | 'cost_per_request'
  | 'tokens_per_request'
  | 'latency'
  | 'error_rate'
  | 'request_velocity';

/** Every metric, in a stable order. */
export const ANOMALY_METRICS: readonly AnomalyMetric[] = [
  'cost_per_request',
  'tokens_per_request',
  'latency',
  'error_rate',
  'request_velocity',
];

/**
 * One anomaly. It is also a valid alert event input (`alerts.emit(anomaly)`), and carries the
 * numbers typed for storage.
 */
export interface AnomalyEvent extends AlertEventInput {
  type: `anomaly.${AnomalyMetric}`;
  metric: AnomalyMetric;
  /** `agent` when the tenant + agent series flagged (more specific), else `tenant`. */
  scope: 'tenant' | 'agent';
  /** Observed value (USD, tokens, ms, error fraction, or requests per velocity bucket). */
  value: number;
  /** What was expected (EWMA baseline, in the metric's unit). */
  baseline: number;
  /** Score compared with the sensitivity (standard deviations above baseline). */
  zScore: number;
  /** Observations behind the baseline. */
  samples: number;
  /** Span time (epoch ms) — `endTime`, or `startTime` for request velocity. */
  time: number;
  spanId: string;
}
