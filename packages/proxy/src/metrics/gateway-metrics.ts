import type { Finding, Span } from '@llmtrace/core';
import { Hono } from 'hono';
import { GENAI_DURATION_BUCKETS, GENAI_TOKEN_BUCKETS, GENAI_TTFT_BUCKETS } from './buckets.js';
import { registerProcessMetrics } from './process-metrics.js';
import { createRegistry } from './prometheus.js';

/** Writer figures read at scrape time (the storage span writer's `stats()` fits). */
export interface WriterStatsSnapshot {
  /** Spans waiting in memory. */
  queued: number;
  /** Spans in the spool not yet replayed. */
  spoolPending?: number;
  /** Spans lost so far (monotonic). */
  dropped: number;
  /** Spans the store skipped so far because their id was already stored (monotonic). */
  skipped?: number;
  /** The writer's own circuit breaker. */
  breaker?: 'closed' | 'open' | 'half-open';
}

/** Circuit-breaker states by name (`store`, `scanner`, …), read at scrape time. */
export type BreakerStates = Record<string, 'closed' | 'open' | 'half-open'>;

/** Outcome of one alert delivery (the alert manager's `AlertDeliveryResult` fits). */
export interface AlertDeliveryObservation {
  channel: string;
  ok: boolean;
  event: { type: string };
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Metric name prefix for LLMTrace's own metrics (default `llmtrace_`). */
  prefix?: string;
  /** Labels added to every series, e.g. `{ instance_role: 'proxy' }`. */
  defaultLabels?: Record<string, string>;
  /** Also expose the process's memory (resident set, V8 heap), event-loop delay and GC pauses; default true. */
  processMetrics?: boolean;
}

/** The gateway's Prometheus metrics, in their own registry (never the global one). */
export interface GatewayMetrics {
  /** Record one finished call: requests, durations, TTFT, tokens, cost and its findings. */
  observeSpan(span: Span): void;
  /** Record one finding outside a span (e.g. an input scan that blocked before the upstream). */
  observeFinding(finding: Finding, action: 'blocked' | 'flagged'): void;
  observeAlertDelivery(result: AlertDeliveryObservation): void;
  /** Read the writer's figures at every scrape. */
  setWriterStats(read: () => WriterStatsSnapshot): void;
  /** Read circuit-breaker states at every scrape. */
  setBreakerStates(read: () => BreakerStates): void;
  /** Prometheus text exposition of all metrics. */
  text(): Promise<string>;
  /** Hono routes serving `GET /metrics`. */
  routes(): Hono;
}

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;
const KNOWN_OPERATIONS = new Set(['chat', 'completion', 'embedding', 'responses', 'messages']);

/**
 * Create the gateway's metrics: request counts and duration histograms by route, model and status;
 * GenAI histograms (`gen_ai_client_operation_duration_seconds`, `gen_ai_client_token_usage`) with the
 * OpenTelemetry GenAI bucket advice; time to first token; tokens; cost; findings by type and action;
 * writer queue, spool and drops; circuit breakers; alert deliveries; the process's memory.
 *
 * @example
 * const metrics = createMetrics();
 * gateway = createGateway({ ..., onSpan: metrics.observeSpan });
 * app.route('/', metrics.routes());
 */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const p = options.prefix ?? 'llmtrace_';
  const registry = createRegistry(options.defaultLabels);

  const requests = registry.counter({
    name: `${p}requests_total`,
    help: 'Proxied LLM calls',
    labelNames: ['route', 'model', 'status'],
  });
  const duration = registry.histogram({
    name: `${p}request_duration_seconds`,
    help: 'Duration of proxied LLM calls',
    labelNames: ['route', 'model', 'status'],
    buckets: GENAI_DURATION_BUCKETS,
  });
  const genaiDuration = registry.histogram({
    name: 'gen_ai_client_operation_duration_seconds',
    help: 'GenAI operation duration (OpenTelemetry GenAI conventions)',
    labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'error_type'],
    buckets: GENAI_DURATION_BUCKETS,
  });
  const genaiTokens = registry.histogram({
    name: 'gen_ai_client_token_usage',
    help: 'Tokens per GenAI operation (OpenTelemetry GenAI conventions)',
    labelNames: [
      'gen_ai_operation_name',
      'gen_ai_provider_name',
      'gen_ai_request_model',
      'gen_ai_token_type',
    ],
    buckets: GENAI_TOKEN_BUCKETS,
  });
  const ttft = registry.histogram({
    name: `${p}time_to_first_token_seconds`,
    help: 'Time to first streamed content chunk',
    labelNames: ['model'],
    buckets: GENAI_TTFT_BUCKETS,
  });
  const tokens = registry.counter({
    name: `${p}tokens_total`,
    help: 'Tokens by direction',
    labelNames: ['direction', 'model'],
  });
  const cost = registry.counter({
    name: `${p}cost_usd_total`,
    help: 'Estimated cost in US dollars',
    labelNames: ['model'],
  });
  const findings = registry.counter({
    name: `${p}security_findings_total`,
    help: 'Security findings by type, severity and action',
    labelNames: ['type', 'severity', 'action'],
  });
  const alerts = registry.counter({
    name: `${p}alert_deliveries_total`,
    help: 'Alert deliveries by channel and outcome',
    labelNames: ['channel', 'event_type', 'outcome'],
  });

  let readWriter: (() => WriterStatsSnapshot) | undefined;
  let readBreakers: (() => BreakerStates) | undefined;
  const writerOnce = () => {
    try {
      return readWriter?.();
    } catch {
      return undefined;
    }
  };
  registry.gauge({
    name: `${p}writer_queue_depth`,
    help: 'Spans waiting in memory to be written',
    collect(gauge) {
      const s = writerOnce();
      if (s) gauge.set(s.queued);
    },
  });
  registry.gauge({
    name: `${p}writer_spool_spans`,
    help: 'Spans in the disk spool not yet replayed',
    collect(gauge) {
      const s = writerOnce();
      if (s?.spoolPending !== undefined) gauge.set(s.spoolPending);
    },
  });
  // Counters whose value comes from the writer: reset-and-set at scrape keeps them monotonic as
  // long as the writer's own counts are.
  const writerCounter = (name: string, help: string, read: (s: WriterStatsSnapshot) => number | undefined) =>
    registry.counter({
      name: `${p}${name}`,
      help,
      collect(counter) {
        const s = writerOnce();
        const value = s && read(s);
        if (value !== undefined) {
          counter.reset();
          counter.inc(value);
        }
      },
    });
  writerCounter(
    'spans_dropped_total',
    'Spans lost because the queue and the spool were full',
    (s) => s.dropped,
  );
  writerCounter(
    'spans_skipped_total',
    'Spans not stored because one with the same tenant and span id already was (a retried batch, a span sent twice, or an id reused by callers)',
    (s) => s.skipped,
  );
  registry.gauge({
    name: `${p}circuit_breaker_state`,
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker'],
    collect(gauge) {
      gauge.reset();
      const w = writerOnce();
      if (w?.breaker) gauge.set(BREAKER_VALUE[w.breaker], 'writer');
      let states: BreakerStates = {};
      try {
        states = readBreakers?.() ?? {};
      } catch {
        // A failing reader must not break the scrape.
      }
      for (const [name, state] of Object.entries(states)) gauge.set(BREAKER_VALUE[state], name);
    },
  });

  if (options.processMetrics !== false) registerProcessMetrics(registry);

  const observeFinding = (f: Finding, action: 'blocked' | 'flagged') =>
    findings.inc(1, f.type, f.severity, action);

  // Label values are passed positionally, in each family's label order: no label objects per call.
  return {
    observeSpan(span) {
      const route = KNOWN_OPERATIONS.has(span.operation) ? (span.path ?? span.operation) : 'other';
      const { operation, provider } = span;
      const model = span.model || 'unknown';
      const status = String(span.statusCode);
      const seconds = span.durationMs / 1000;
      requests.inc(1, route, model, status);
      duration.observe(seconds, route, model, status);
      genaiDuration.observe(seconds, operation, provider, model, span.statusCode >= 400 ? status : '');
      if (span.usageSource !== 'none') {
        genaiTokens.observe(span.promptTokens, operation, provider, model, 'input');
        genaiTokens.observe(span.completionTokens, operation, provider, model, 'output');
      }
      if (span.ttftMs !== undefined) ttft.observe(span.ttftMs / 1000, model);
      tokens.inc(span.promptTokens, 'input', model);
      tokens.inc(span.completionTokens, 'output', model);
      if (span.costUsd !== undefined) cost.inc(span.costUsd, model);
      const action = span.status === 'blocked' ? 'blocked' : 'flagged';
      for (const f of span.findings) observeFinding(f, action);
    },
    observeFinding,
    observeAlertDelivery(r) {
      alerts.inc(1, r.channel, r.event.type, r.ok ? 'delivered' : 'failed');
    },
    setWriterStats(read) {
      readWriter = read;
    },
    setBreakerStates(read) {
      readBreakers = read;
    },
    text: async () => registry.metrics(),
    routes() {
      const app = new Hono();
      app.get('/metrics', (c) => c.body(registry.metrics(), 200, { 'content-type': registry.contentType }));
      return app;
    },
  };
}
