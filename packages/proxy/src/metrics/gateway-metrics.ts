import type { Finding, Span } from '@llmtrace/core';
import { Hono } from 'hono';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { GENAI_DURATION_BUCKETS, GENAI_TOKEN_BUCKETS, GENAI_TTFT_BUCKETS } from './buckets.js';

/** Writer figures read at scrape time (the storage span writer's `stats()` fits). */
export interface WriterStatsSnapshot {
  /** Spans waiting in memory. */
  queued: number;
  /** Spans in the spool not yet replayed. */
  spoolPending?: number;
  /** Spans lost so far (monotonic). */
  dropped: number;
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
}

/** The gateway's Prometheus metrics, in their own registry (never the global one). */
export interface GatewayMetrics {
  readonly registry: Registry;
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
 * writer queue, spool and drops; circuit breakers; alert deliveries.
 *
 * @example
 * const metrics = createMetrics();
 * gateway = createGateway({ ..., onSpan: metrics.observeSpan });
 * app.route('/', metrics.routes());
 */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const p = options.prefix ?? 'llmtrace_';
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  const registers = [registry];

  const requests = new Counter({
    name: `${p}requests_total`,
    help: 'Proxied LLM calls',
    labelNames: ['route', 'model', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: `${p}request_duration_seconds`,
    help: 'Duration of proxied LLM calls',
    labelNames: ['route', 'model', 'status'] as const,
    buckets: [...GENAI_DURATION_BUCKETS],
    registers,
  });
  const genaiDuration = new Histogram({
    name: 'gen_ai_client_operation_duration_seconds',
    help: 'GenAI operation duration (OpenTelemetry GenAI conventions)',
    labelNames: [
      'gen_ai_operation_name',
      'gen_ai_provider_name',
      'gen_ai_request_model',
      'error_type',
    ] as const,
    buckets: [...GENAI_DURATION_BUCKETS],
    registers,
  });
  const genaiTokens = new Histogram({
    name: 'gen_ai_client_token_usage',
    help: 'Tokens per GenAI operation (OpenTelemetry GenAI conventions)',
    labelNames: [
      'gen_ai_operation_name',
      'gen_ai_provider_name',
      'gen_ai_request_model',
      'gen_ai_token_type',
    ] as const,
    buckets: [...GENAI_TOKEN_BUCKETS],
    registers,
  });
  const ttft = new Histogram({
    name: `${p}time_to_first_token_seconds`,
    help: 'Time to first streamed content chunk',
    labelNames: ['model'] as const,
    buckets: [...GENAI_TTFT_BUCKETS],
    registers,
  });
  const tokens = new Counter({
    name: `${p}tokens_total`,
    help: 'Tokens by direction',
    labelNames: ['direction', 'model'] as const,
    registers,
  });
  const cost = new Counter({
    name: `${p}cost_usd_total`,
    help: 'Estimated cost in US dollars',
    labelNames: ['model'] as const,
    registers,
  });
  const findings = new Counter({
    name: `${p}security_findings_total`,
    help: 'Security findings by type, severity and action',
    labelNames: ['type', 'severity', 'action'] as const,
    registers,
  });
  const alerts = new Counter({
    name: `${p}alert_deliveries_total`,
    help: 'Alert deliveries by channel and outcome',
    labelNames: ['channel', 'event_type', 'outcome'] as const,
    registers,
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
  new Gauge({
    name: `${p}writer_queue_depth`,
    help: 'Spans waiting in memory to be written',
    registers,
    collect() {
      const s = writerOnce();
      if (s) this.set(s.queued);
    },
  });
  new Gauge({
    name: `${p}writer_spool_spans`,
    help: 'Spans in the disk spool not yet replayed',
    registers,
    collect() {
      const s = writerOnce();
      if (s?.spoolPending !== undefined) this.set(s.spoolPending);
    },
  });
  // A counter whose value comes from the writer: reset-and-set at scrape keeps it monotonic as
  // long as the writer's own count is.
  new Counter({
    name: `${p}spans_dropped_total`,
    help: 'Spans lost because the queue and the spool were full',
    registers,
    collect() {
      const s = writerOnce();
      if (s) {
        this.reset();
        this.inc(s.dropped);
      }
    },
  });
  new Gauge({
    name: `${p}circuit_breaker_state`,
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker'] as const,
    registers,
    collect() {
      this.reset();
      const w = writerOnce();
      if (w?.breaker) this.set({ breaker: 'writer' }, BREAKER_VALUE[w.breaker]);
      let states: BreakerStates = {};
      try {
        states = readBreakers?.() ?? {};
      } catch {
        // A failing reader must not break the scrape.
      }
      for (const [name, state] of Object.entries(states)) this.set({ breaker: name }, BREAKER_VALUE[state]);
    },
  });

  const observeFinding = (f: Finding, action: 'blocked' | 'flagged') =>
    findings.inc({ type: f.type, severity: f.severity, action });

  return {
    registry,
    observeSpan(span) {
      const route = KNOWN_OPERATIONS.has(span.operation) ? (span.path ?? span.operation) : 'other';
      const model = span.model || 'unknown';
      const status = String(span.statusCode);
      const seconds = span.durationMs / 1000;
      requests.inc({ route, model, status });
      duration.observe({ route, model, status }, seconds);
      const g = {
        gen_ai_operation_name: span.operation,
        gen_ai_provider_name: span.provider,
        gen_ai_request_model: model,
      };
      genaiDuration.observe({ ...g, error_type: span.statusCode >= 400 ? status : '' }, seconds);
      if (span.usageSource !== 'none') {
        genaiTokens.observe({ ...g, gen_ai_token_type: 'input' }, span.promptTokens);
        genaiTokens.observe({ ...g, gen_ai_token_type: 'output' }, span.completionTokens);
      }
      if (span.ttftMs !== undefined) ttft.observe({ model }, span.ttftMs / 1000);
      tokens.inc({ direction: 'input', model }, span.promptTokens);
      tokens.inc({ direction: 'output', model }, span.completionTokens);
      if (span.costUsd !== undefined) cost.inc({ model }, span.costUsd);
      const action = span.status === 'blocked' ? 'blocked' : 'flagged';
      for (const f of span.findings) observeFinding(f, action);
    },
    observeFinding,
    observeAlertDelivery(r) {
      alerts.inc({ channel: r.channel, event_type: r.event.type, outcome: r.ok ? 'delivered' : 'failed' });
    },
    setWriterStats(read) {
      readWriter = read;
    },
    setBreakerStates(read) {
      readBreakers = read;
    },
    text: () => registry.metrics(),
    routes() {
      const app = new Hono();
      app.get('/metrics', async (c) => {
        const body = await registry.metrics();
        return c.body(body, 200, { 'content-type': registry.contentType });
      });
      return app;
    },
  };
}
