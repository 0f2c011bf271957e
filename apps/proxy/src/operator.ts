import { randomUUID } from 'node:crypto';
import type { AuditEvent, Logger, MetadataStore, Span, TraceStore } from '@llmtrace/core';
import {
  type AlertEvent,
  type AlertManager,
  type AnomalyDetector,
  type CostModel,
  createAlertManager,
  createAnomalyDetector,
  createApiRoutes,
  createErrorRateMonitor,
  createHealthRoutes,
  createIngestRoutes,
  createMetrics,
  createOtlpExporter,
  createOtlpIngestRoutes,
  createUiRoutes,
  type EventLog,
  type GatewayMetrics,
  type KeyAdmin,
  type OtlpExporter,
  type Principal,
  redactSpan,
  type SpanScanner,
  type SpendWindow,
} from '@llmtrace/gateway';
import type { SpanWriter } from '@llmtrace/storage';
import { Hono } from 'hono';
import type { Config } from './config/index.js';

/** What the operator surface needs from the rest of the app. */
export interface OperatorDeps {
  config: Config;
  traces: TraceStore;
  metadata: MetadataStore;
  writer: SpanWriter;
  scanner?: SpanScanner;
  pricing?: CostModel;
  logger: Logger;
  /** Resolve an API caller; without proxy auth every local caller is the global admin. */
  authenticate: (headers: Headers) => Promise<Principal | undefined>;
  /** The tenant of an ingest request (SDK spans, OTLP). */
  resolveTenant: (headers: Headers) => string | Promise<string>;
  keys?: KeyAdmin;
  spend?: (tenantId: string) => Promise<SpendWindow[]>;
}

/** The running operator surface: routes to mount before the proxy, and span listeners. */
export interface Operator {
  routes: Hono;
  /**
   * Whether a path may be one of {@link routes}' (a superset: a path it claims but does not
   * match still reaches the proxy, through the router). Paths it does not claim go straight to
   * the proxy.
   */
  claims(pathname: string): boolean;
  metrics: GatewayMetrics;
  alerts?: AlertManager;
  /** Called with every finished span (proxied or ingested). */
  onSpan(span: Span): void;
  close(): Promise<void>;
}

const EVENT_ACTION: Record<'alert' | 'anomaly', string> = {
  alert: 'alert.sent',
  anomaly: 'anomaly.detected',
};

/**
 * A path predicate covering every route of `app`: exact static paths, and for a route with
 * parameters or a wildcard, everything under its static part.
 */
export function routeClaims(app: Hono): (pathname: string) => boolean {
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  for (const { path } of app.routes) {
    const dynamic = path.search(/[:*]/);
    if (dynamic === -1) exact.add(path);
    else {
      const base = path.slice(0, dynamic).replace(/\/+$/, '');
      if (base === '') return () => true;
      prefixes.add(base);
    }
  }
  const list = [...prefixes];
  const under = list.map((p) => `${p}/`);
  // Runs for every request, proxied ones included: no closure or string built per call.
  return (pathname) => {
    if (exact.has(pathname)) return true;
    for (let i = 0; i < list.length; i++)
      if (pathname === list[i] || pathname.startsWith(under[i] as string)) return true;
    return false;
  };
}

/** Alert and anomaly history kept as audit events in the metadata store. */
function eventLog(
  metadata: MetadataStore,
): EventLog & { record(kind: 'alert' | 'anomaly', e: AlertEvent): void } {
  return {
    record(kind, e) {
      const event: AuditEvent = {
        tenantId: e.tenantId,
        at: e.time,
        actor: 'system',
        action: EVENT_ACTION[kind],
        detail: { ...e },
      };
      void metadata.appendAudit(event).catch(() => {});
    },
    async list(tenantId, kind, limit) {
      const rows = await metadata.listAudit(tenantId, { limit: Math.min(limit * 4, 2000) });
      return rows
        .filter((r) => r.action === EVENT_ACTION[kind])
        .slice(0, limit)
        .map((r) => r.detail as unknown as AlertEvent);
    },
  };
}

/**
 * Build the operator surface from config: `/health`, `/ready`, `/metrics`, the REST API and span
 * ingest under `/api/v1`, OTLP ingest at `/v1/traces`, the dashboard at `/ui`, plus alerts,
 * anomaly detection and OTLP export fed by every finished span.
 */
export function createOperator(deps: OperatorDeps): Operator {
  const { config, logger } = deps;
  const metrics = createMetrics();
  metrics.setWriterStats(() => deps.writer.stats());
  metrics.setBreakerStates(() => ({ store: deps.writer.stats().breaker }));
  const events = eventLog(deps.metadata);

  const alerts = config.alerts.enabled
    ? createAlertManager({
        channels: config.alerts.channels.map((c) => {
          const filter = { minSeverity: c.min_severity, eventTypes: c.event_types, tenants: c.tenants };
          if (c.type === 'webhook')
            return { type: 'webhook' as const, url: c.url, secret: c.secret, ...filter };
          if (c.type === 'slack') return { type: 'slack' as const, webhookUrl: c.webhook_url, ...filter };
          return {
            type: 'pagerduty' as const,
            routingKey: c.routing_key,
            eventsUrl: c.events_url,
            ...filter,
          };
        }),
        cooldownMs: config.alerts.cooldown_ms,
        uiBaseUrl: config.alerts.ui_base_url,
        findingSeverity: config.alerts.finding_severity,
        queueSize: config.alerts.queue_size,
        history: { recordEvent: (e) => events.record('alert', e) },
        onResult: (r) => metrics.observeAlertDelivery(r),
        logger,
      })
    : undefined;

  const anomalies: AnomalyDetector | undefined = config.anomaly.enabled
    ? createAnomalyDetector({
        sensitivity: config.anomaly.sensitivity,
        minSamples: config.anomaly.min_samples,
        metrics: config.anomaly.metrics,
      })
    : undefined;

  const exp = config.otel.export;
  const exporter: OtlpExporter | undefined =
    exp.enabled && exp.url
      ? createOtlpExporter({
          url: exp.url,
          headers: exp.headers,
          includeContent: exp.include_content,
          serviceName: exp.service_name,
          logger,
        })
      : undefined;

  // Upstream error-rate spikes and rate-limit storms, per tenant, over a sliding window.
  const errorRates = alerts ? createErrorRateMonitor() : undefined;

  const onSpan = (span: Span): void => {
    metrics.observeSpan(span);
    exporter?.onSpan(span);
    if (alerts) {
      alerts.onSpan(span);
      for (const e of errorRates?.observe(span) ?? []) alerts.emit(e);
    }
    if (anomalies) {
      for (const a of anomalies.observe(span)) {
        events.record('anomaly', { ...a, id: randomUUID(), time: a.time ?? span.endTime });
        alerts?.emit(a);
      }
    }
  };

  const routes = new Hono();
  routes.route(
    '/',
    createHealthRoutes({
      checks: {
        store: () => deps.traces.health(),
        metadata: () => deps.metadata.health(),
        writer: async () => {
          const s = deps.writer.stats();
          return {
            ok: s.breaker !== 'open',
            detail: `breaker ${s.breaker}, queued ${s.queued}, spooled ${s.spooled}, dropped ${s.dropped}, skipped ${s.skipped}`,
          };
        },
      },
    }),
  );
  routes.route('/', metrics.routes());
  const store = (span: Span): void => {
    const s = config.storage.redact_pii ? redactSpan(span) : span;
    deps.writer.record(s);
    onSpan(s);
  };
  const ingestScanned = { sink: { record: store }, scanner: deps.scanner, logger };
  routes.route(
    '/api/v1',
    createIngestRoutes({ ...ingestScanned, pricing: deps.pricing, resolveTenant: deps.resolveTenant }),
  );
  if (config.otel.ingest) {
    routes.route(
      '/',
      createOtlpIngestRoutes({ ...ingestScanned, pricing: deps.pricing, resolveTenant: deps.resolveTenant }),
    );
  }
  if (config.ui.enabled) {
    routes.route(
      '/api/v1',
      createApiRoutes({
        store: deps.traces,
        authenticate: deps.authenticate,
        keys: deps.keys,
        spend: deps.spend,
        events: { list: (tenantId, kind, limit) => events.list(tenantId, kind, limit) },
        logger,
      }),
    );
    routes.route('/', createUiRoutes());
  }

  return {
    routes,
    claims: routeClaims(routes),
    metrics,
    alerts,
    onSpan,
    async close() {
      await alerts?.close();
      await exporter?.shutdown();
    },
  };
}
