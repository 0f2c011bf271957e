import type { Severity, Span } from '@llmtrace/core';
import type { AlertEventInput } from './types.js';

/** Upstream error-rate trigger. */
export interface ErrorRateRule {
  /** Fraction of requests in the window answered 5xx (or not reached). Default 0.5. */
  threshold?: number;
  /** Requests the window needs before the rate means anything. Default 20. */
  minRequests?: number;
  /** Default `high`. */
  severity?: Severity;
}

/** Rate-limit storm trigger: many 429s (the proxy's own limits or the upstream's). */
export interface RateLimitStormRule {
  /** 429 answers per window. Default 50. */
  threshold?: number;
  /** Default `medium`. */
  severity?: Severity;
}

/** Options of {@link createErrorRateMonitor}. */
export interface ErrorRateMonitorOptions {
  /** Sliding window. Default 60 000 ms. */
  windowMs?: number;
  /** Buckets the window is counted in (its resolution). Default 12. */
  buckets?: number;
  /** `false` turns the trigger off. */
  errorRate?: ErrorRateRule | false;
  /** `false` turns the trigger off. */
  rateLimitStorm?: RateLimitStormRule | false;
  /** Tenants tracked at once; the least recently seen is forgotten beyond it. Default 10 000. */
  maxTenants?: number;
}

/** Watches finished spans per tenant and raises `upstream.error_rate` and `rate_limit.storm` events. */
export interface ErrorRateMonitor {
  /** Count a finished span (by its `endTime`); returns events to `emit`. */
  observe(span: Span): AlertEventInput[];
  /** Re-evaluate every tenant at `now` (call on a timer so spikes resolve when traffic stops). */
  tick(now?: number): AlertEventInput[];
}

interface Slot {
  index: number;
  total: number;
  errors: number;
  limited: number;
}

interface Trigger {
  firing: boolean;
  lastEmit: number;
}

interface TenantState {
  slots: Slot[];
  errorRate: Trigger;
  storm: Trigger;
}

/**
 * Sliding-window counters per tenant, evaluated on each span. A trigger fires when over its
 * threshold, fires again at most once per window while the condition lasts, and emits a
 * `resolved` event once the rate falls below half the threshold (or the window empties).
 * Time comes from the spans, so replaying spans is deterministic.
 *
 * @example
 * const monitor = createErrorRateMonitor({ errorRate: { threshold: 0.3 } });
 * for (const e of monitor.observe(span)) alerts.emit(e);
 */
export function createErrorRateMonitor(options: ErrorRateMonitorOptions = {}): ErrorRateMonitor {
  const windowMs = Math.max(1000, options.windowMs ?? 60_000);
  const n = Math.max(1, Math.floor(options.buckets ?? 12));
  const bucketMs = windowMs / n;
  const maxTenants = Math.max(1, options.maxTenants ?? 10_000);
  const errRule =
    options.errorRate === false
      ? undefined
      : { threshold: 0.5, minRequests: 20, severity: 'high' as Severity, ...options.errorRate };
  const stormRule =
    options.rateLimitStorm === false
      ? undefined
      : { threshold: 50, severity: 'medium' as Severity, ...options.rateLimitStorm };
  const tenants = new Map<string, TenantState>();
  const windowSec = Math.round(windowMs / 1000);

  function sums(state: TenantState, index: number): { total: number; errors: number; limited: number } {
    const out = { total: 0, errors: 0, limited: 0 };
    for (const s of state.slots) {
      if (s.index <= index - n || s.index > index) continue;
      out.total += s.total;
      out.errors += s.errors;
      out.limited += s.limited;
    }
    return out;
  }

  function evaluate(tenantId: string, state: TenantState, t: number): AlertEventInput[] {
    const index = Math.floor(t / bucketMs);
    const w = sums(state, index);
    const events: AlertEventInput[] = [];
    const base = { tenantId, time: t };
    if (errRule) {
      const rate = w.total > 0 ? w.errors / w.total : 0;
      const details = {
        windowMs,
        requests: w.total,
        errors: w.errors,
        errorRate: rate,
        threshold: errRule.threshold,
      };
      const pct = Math.round(rate * 100);
      const over = w.total >= errRule.minRequests && rate >= errRule.threshold;
      const tr = state.errorRate;
      if (over && (!tr.firing || t - tr.lastEmit >= windowMs)) {
        tr.firing = true;
        tr.lastEmit = t;
        const title = `Upstream error rate ${pct}% over the last ${windowSec}s (${w.errors}/${w.total} requests)`;
        events.push({ ...base, type: 'upstream.error_rate', severity: errRule.severity, title, details });
      } else if (tr.firing && rate < errRule.threshold / 2) {
        tr.firing = false;
        const title = `Upstream error rate back to ${pct}% over the last ${windowSec}s`;
        events.push({
          ...base,
          type: 'upstream.error_rate',
          severity: errRule.severity,
          title,
          details,
          resolved: true,
        });
      }
    }
    if (stormRule) {
      const details = { windowMs, requests: w.total, rateLimited: w.limited, threshold: stormRule.threshold };
      const tr = state.storm;
      if (w.limited >= stormRule.threshold && (!tr.firing || t - tr.lastEmit >= windowMs)) {
        tr.firing = true;
        tr.lastEmit = t;
        const title = `Rate-limit storm: ${w.limited} requests answered 429 in the last ${windowSec}s`;
        events.push({ ...base, type: 'rate_limit.storm', severity: stormRule.severity, title, details });
      } else if (tr.firing && w.limited < stormRule.threshold / 2) {
        tr.firing = false;
        const title = `Rate-limit storm over: ${w.limited} requests answered 429 in the last ${windowSec}s`;
        events.push({
          ...base,
          type: 'rate_limit.storm',
          severity: stormRule.severity,
          title,
          details,
          resolved: true,
        });
      }
    }
    return events;
  }

  return {
    observe(span) {
      const t = span.endTime;
      let state = tenants.get(span.tenantId);
      if (state) tenants.delete(span.tenantId);
      else {
        if (tenants.size >= maxTenants) {
          const oldest = tenants.keys().next().value;
          if (oldest !== undefined) tenants.delete(oldest);
        }
        state = {
          slots: Array.from({ length: n }, () => ({
            index: Number.NEGATIVE_INFINITY,
            total: 0,
            errors: 0,
            limited: 0,
          })),
          errorRate: { firing: false, lastEmit: 0 },
          storm: { firing: false, lastEmit: 0 },
        };
      }
      // Re-insert: Map order doubles as least-recently-seen order for eviction.
      tenants.set(span.tenantId, state);
      const index = Math.floor(t / bucketMs);
      const slot = state.slots[((index % n) + n) % n] as Slot;
      if (slot.index !== index) Object.assign(slot, { index, total: 0, errors: 0, limited: 0 });
      slot.total++;
      if (span.statusCode >= 500) slot.errors++;
      if (span.statusCode === 429) slot.limited++;
      return evaluate(span.tenantId, state, t);
    },
    tick(now = Date.now()) {
      const events: AlertEventInput[] = [];
      for (const [tenantId, state] of tenants) {
        if (state.errorRate.firing || state.storm.firing) events.push(...evaluate(tenantId, state, now));
      }
      return events;
    },
  };
}
