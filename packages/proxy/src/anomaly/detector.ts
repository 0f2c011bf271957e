import type { Severity, Span } from '@llmtrace/core';
import { type Check, ErrorRateSeries, type SeriesConfig, ValueSeries, VelocitySeries } from './series.js';
import { SeriesCache } from './series-cache.js';
import { ANOMALY_METRICS, type AnomalyEvent, type AnomalyMetric } from './types.js';

/** Options of {@link createAnomalyDetector}. */
export interface AnomalyOptions {
  /** Metrics to watch. Default all of {@link ANOMALY_METRICS}. */
  metrics?: readonly AnomalyMetric[];
  /** z threshold: how many standard deviations above the baseline is an anomaly. Default 5. */
  sensitivity?: number;
  /** EWMA weight of a new observation (≈ 2 / window). Default 0.02 (about the last 100). */
  alpha?: number;
  /** Weight of the short EWMA that catches steps (several moderately high values in a row). Default 0.1. */
  shiftAlpha?: number;
  /** Observations a series needs before it may flag (per-request metrics). Default 30. */
  minSamples?: number;
  /** A value must also exceed the baseline by this fraction (0.25 = 25 % higher). Default 0.25. */
  minRelativeChange?: number;
  /** Bucket of the request-velocity metric. Default 60 000 ms (requests per minute). */
  velocityBucketMs?: number;
  /** Completed buckets with traffic a velocity series needs before it may flag. Default 10. */
  velocityMinBuckets?: number;
  /** Weight of the fast error-rate EWMA (≈ last 20 requests). Default 0.1. */
  errorRateFastAlpha?: number;
  /** Weight of the slow error-rate baseline (≈ last 200 requests). Default 0.01. */
  errorRateBaselineAlpha?: number;
  /** The fast error rate must exceed the baseline by at least this much (absolute). Default 0.3. */
  minErrorRateIncrease?: number;
  /** Also keep a series per tenant + agent. Default true. */
  perAgent?: boolean;
  /** Series kept at once; the least recently seen is forgotten beyond it. Default 10 000. */
  maxSeries?: number;
}

/** Online anomaly detection over finished spans. */
export interface AnomalyDetector {
  /** Learn from a finished span; returns the anomalies it reveals (usually none). Never throws. */
  observe(span: Span): AnomalyEvent[];
  /** Series currently tracked. */
  seriesCount(): number;
}

interface SeriesSet {
  cost?: ValueSeries;
  tokens?: ValueSeries;
  latency?: ValueSeries;
  errors?: ErrorRateSeries;
  velocity?: VelocitySeries;
}

const LABEL: Record<AnomalyMetric, string> = {
  cost_per_request: 'Cost per request',
  tokens_per_request: 'Tokens per request',
  latency: 'Latency',
  error_rate: 'Error rate',
  request_velocity: 'Request velocity',
};

function fmt(metric: AnomalyMetric, v: number, bucketMs: number): string {
  switch (metric) {
    case 'cost_per_request':
      return `$${v.toPrecision(3)}`;
    case 'tokens_per_request':
      return `${Math.round(v)} tokens`;
    case 'latency':
      return `${Math.round(v)} ms`;
    case 'error_rate':
      return `${Math.round(v * 100)}%`;
    case 'request_velocity':
      return `${Math.round(v * 10) / 10} req/${bucketMs === 60_000 ? 'min' : `${bucketMs / 1000}s`}`;
  }
}

/**
 * Create an online anomaly detector. Per tenant (and per tenant + agent) it keeps, for each
 * metric, an exponentially weighted mean and variance: cost, tokens and latency (of successful
 * calls, in log space), the error fraction (fast vs slow EWMA), and requests per bucket from
 * span start times. A metric flags once when it rises `sensitivity` standard deviations above
 * its baseline (and `minRelativeChange` above it), after `minSamples` observations; it re-arms
 * when the metric is back near normal. Only rises are anomalies: a cheaper or faster call is not.
 * Time comes from spans, never the wall clock, so replays are deterministic.
 *
 * @example
 * const anomalies = createAnomalyDetector({ sensitivity: 5 });
 * for (const a of anomalies.observe(span)) { alerts.emit(a); history.recordAnomaly(a); }
 */
export function createAnomalyDetector(options: AnomalyOptions = {}): AnomalyDetector {
  const cfg: SeriesConfig = {
    threshold: options.sensitivity ?? 5,
    alpha: options.alpha ?? 0.02,
    minSamples: Math.max(2, options.minSamples ?? 30),
    shiftAlpha: options.shiftAlpha ?? 0.1,
    minRelativeChange: options.minRelativeChange ?? 0.25,
    minBuckets: Math.max(2, options.velocityMinBuckets ?? 10),
    fastAlpha: options.errorRateFastAlpha ?? 0.1,
    baselineAlpha: options.errorRateBaselineAlpha ?? 0.01,
    minErrorRateIncrease: options.minErrorRateIncrease ?? 0.3,
  };
  const bucketMs = Math.max(1000, options.velocityBucketMs ?? 60_000);
  const enabled = new Set(options.metrics ?? ANOMALY_METRICS);
  const perAgent = options.perAgent ?? true;
  const maxSeries = Math.max(1, options.maxSeries ?? 10_000);
  const series = new SeriesCache<SeriesSet>(maxSeries, () => ({
    cost: enabled.has('cost_per_request') ? new ValueSeries(cfg, 1e-6) : undefined,
    tokens: enabled.has('tokens_per_request') ? new ValueSeries(cfg, 1) : undefined,
    latency: enabled.has('latency') ? new ValueSeries(cfg, 1) : undefined,
    errors: enabled.has('error_rate') ? new ErrorRateSeries(cfg) : undefined,
    velocity: enabled.has('request_velocity') ? new VelocitySeries(cfg, bucketMs) : undefined,
  }));

  function event(span: Span, metric: AnomalyMetric, check: Check, scope: 'tenant' | 'agent'): AnomalyEvent {
    const z = Math.round(check.z * 100) / 100;
    const severity: Severity = check.z >= 2 * cfg.threshold ? 'high' : 'medium';
    const time = metric === 'request_velocity' ? span.startTime : span.endTime;
    const who = scope === 'agent' && span.agentId ? ` for agent ${span.agentId}` : '';
    const title = `${LABEL[metric]} anomaly${who}: ${fmt(metric, check.value, bucketMs)} vs typical ${fmt(metric, check.baseline, bucketMs)} (z ${z})`;
    const agentId = scope === 'agent' ? span.agentId : undefined;
    return {
      type: `anomaly.${metric}`,
      metric,
      scope,
      severity,
      tenantId: span.tenantId,
      ...(agentId ? { agentId } : {}),
      ...(span.model ? { model: span.model } : {}),
      traceId: span.traceId,
      spanId: span.spanId,
      title,
      value: check.value,
      baseline: check.baseline,
      zScore: z,
      samples: check.samples,
      time,
      details: {
        metric,
        scope,
        value: check.value,
        baseline: check.baseline,
        zScore: z,
        threshold: cfg.threshold,
        samples: check.samples,
        spanId: span.spanId,
      },
      dedupKey: `anomaly.${metric}:${span.tenantId}${agentId ? `:${agentId}` : ''}`,
    };
  }

  /** Both series learned from the span; when both flag, the agent one is the more specific alert. */
  function report(
    out: AnomalyEvent[],
    span: Span,
    metric: AnomalyMetric,
    tenant: Check | undefined,
    agent: Check | undefined,
  ): void {
    if (agent?.flagged) out.push(event(span, metric, agent, 'agent'));
    else if (tenant?.flagged) out.push(event(span, metric, tenant, 'tenant'));
  }

  return {
    // Runs for every span: no per-call closures, key strings or verdict objects (each series
    // refills its own `Check`), and each one is read before that series observes again.
    observe(span) {
      try {
        const tenant = series.get(span.tenantId);
        const agent = perAgent && span.agentId ? series.get(span.tenantId, span.agentId) : undefined;
        const ok = span.status === 'ok' && span.statusCode < 400;
        const counted = span.status !== 'blocked' && span.status !== 'cancelled';
        const isError = span.statusCode >= 500 || span.status === 'error';
        const out: AnomalyEvent[] = [];
        // Tenant first, then agent, for every metric in ANOMALY_METRICS order (arguments run left to right).
        if (ok && span.costUsd !== undefined)
          report(
            out,
            span,
            'cost_per_request',
            tenant.cost?.observe(span.costUsd),
            agent?.cost?.observe(span.costUsd),
          );
        if (ok && span.usageSource !== 'none')
          report(
            out,
            span,
            'tokens_per_request',
            tenant.tokens?.observe(span.totalTokens),
            agent?.tokens?.observe(span.totalTokens),
          );
        if (ok)
          report(
            out,
            span,
            'latency',
            tenant.latency?.observe(span.durationMs),
            agent?.latency?.observe(span.durationMs),
          );
        if (counted)
          report(out, span, 'error_rate', tenant.errors?.observe(isError), agent?.errors?.observe(isError));
        report(
          out,
          span,
          'request_velocity',
          tenant.velocity?.observe(span.startTime),
          agent?.velocity?.observe(span.startTime),
        );
        return out;
      } catch {
        // A detector must never break the span path; a malformed span just teaches nothing.
        return [];
      }
    },
    seriesCount() {
      return series.size;
    },
  };
}
