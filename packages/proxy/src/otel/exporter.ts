import type { Span } from '@llmtrace/core';
import { type Logger, silentLogger } from '@llmtrace/core';
import { type Attributes, context, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';
import { GENAI, semconvOperation, toInputMessages, toOutputMessages } from './genai.js';

/** Options of {@link createOtlpExporter}. */
export interface OtlpExporterOptions {
  /** Collector traces endpoint, e.g. `http://otel-collector:4318/v1/traces`. */
  url: string;
  /** Extra HTTP headers (collector auth). */
  headers?: Record<string, string>;
  /** Send prompts and responses as `gen_ai.input.messages` / `gen_ai.output.messages` (default false). */
  includeContent?: boolean;
  /** `service.name` of the exported resource (default `llmtrace-proxy`). */
  serviceName?: string;
  /** Extra resource attributes. */
  resourceAttributes?: Attributes;
  /** Batch delay in ms (default 1000). */
  flushIntervalMs?: number;
  /** Spans per export request (default 512). */
  maxBatchSize?: number;
  /** Spans held before dropping (default 4096). */
  maxQueueSize?: number;
  /** Export request timeout in ms (default 10000). */
  timeoutMs?: number;
  logger?: Logger;
}

/** Sends every finished span to an OpenTelemetry collector over OTLP/HTTP. */
export interface OtlpExporter {
  /** Queue a span for export; returns at once and never throws (use as a gateway `onSpan`). */
  onSpan(span: Span): void;
  /** Export everything queued now; export failures are logged, not thrown. */
  forceFlush(): Promise<void>;
  /** Flush and stop. */
  shutdown(): Promise<void>;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** The OTLP attributes of one span, following the GenAI semantic conventions. */
export function genaiAttributes(span: Span, includeContent: boolean): Attributes {
  const a: Attributes = {
    [GENAI.operationName]: semconvOperation(span.operation),
    [GENAI.providerName]: span.provider,
    [GENAI.requestModel]: span.model,
    [GENAI.inputTokens]: span.promptTokens,
    [GENAI.outputTokens]: span.completionTokens,
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: span.statusCode,
    'llmtrace.tenant_id': span.tenantId,
    'llmtrace.security_score': span.securityScore,
    'llmtrace.findings.count': span.findings.length,
    'llmtrace.usage_source': span.usageSource,
    'llmtrace.stream': span.stream,
  };
  if (span.responseModel) a[GENAI.responseModel] = span.responseModel;
  if (span.finishReason) a[GENAI.finishReasons] = [span.finishReason];
  if (span.ttftMs !== undefined) a[GENAI.timeToFirstChunk] = span.ttftMs / 1000;
  if (span.sessionId) a[GENAI.conversationId] = span.sessionId;
  if (span.agentId) a[GENAI.agentId] = span.agentId;
  if (span.costUsd !== undefined) a['llmtrace.cost_usd'] = span.costUsd;
  if (span.cachedTokens !== undefined) a['gen_ai.usage.cache_read.input_tokens'] = span.cachedTokens;
  const params = span.params ?? {};
  if (typeof params.temperature === 'number') a[GENAI.temperature] = params.temperature;
  if (typeof params.max_tokens === 'number') a[GENAI.maxTokens] = params.max_tokens;
  if (typeof params.top_p === 'number') a[GENAI.topP] = params.top_p;
  if (span.status !== 'ok' || span.statusCode >= 400)
    a[ATTR_ERROR_TYPE] = span.status === 'ok' ? String(span.statusCode) : span.status;
  if (!HEX32.test(span.traceId)) a['llmtrace.trace_id'] = span.traceId;
  if (!HEX16.test(span.spanId)) a['llmtrace.span_id'] = span.spanId;
  if (includeContent) {
    a[GENAI.inputMessages] = JSON.stringify(toInputMessages(span.prompt));
    a[GENAI.outputMessages] = JSON.stringify(toOutputMessages(span));
  }
  return a;
}

/** A stable hex id of the wanted length for ids that are not already OTel-shaped. */
function hexId(id: string, length: 16 | 32): string {
  if ((length === 32 ? HEX32 : HEX16).test(id)) return id;
  // FNV-1a over the id, repeated with a salt until long enough: deterministic, no crypto needed.
  let out = '';
  for (let salt = 0; out.length < length; salt++) {
    let h = 0x811c9dc5 ^ salt;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

/**
 * Export LLMTrace spans over OTLP/HTTP (JSON) with the official OpenTelemetry SDK: a
 * `BasicTracerProvider` with a `BatchSpanProcessor`, each span re-created with its original start
 * and end times, trace id, span id and parent. Content is sent only with `includeContent`.
 *
 * @example
 * const otlp = createOtlpExporter({ url: 'http://localhost:4318/v1/traces' });
 * createGateway({ ..., onSpan: otlp.onSpan });
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  const logger = options.logger ?? silentLogger;
  const includeContent = options.includeContent ?? false;
  // The SDK asks the id generator for ids while starting a span; we start spans one at a time,
  // synchronously, so the generator hands back the ids of the span being re-created.
  const next = { traceId: '', spanId: '' };
  const idGenerator: IdGenerator = { generateTraceId: () => next.traceId, generateSpanId: () => next.spanId };
  const exporter = new OTLPTraceExporter({
    url: options.url,
    headers: options.headers,
    timeoutMillis: options.timeoutMs ?? 10_000,
  });
  const provider = new BasicTracerProvider({
    idGenerator,
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName ?? 'llmtrace-proxy',
      ...options.resourceAttributes,
    }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: options.flushIntervalMs ?? 1000,
        maxExportBatchSize: options.maxBatchSize ?? 512,
        maxQueueSize: options.maxQueueSize ?? 4096,
      }),
    ],
  });
  const tracer = provider.getTracer('@llmtrace/gateway');
  let closed = false;

  return {
    onSpan(span) {
      if (closed) return;
      try {
        const traceId = hexId(span.traceId, 32);
        next.traceId = traceId;
        next.spanId = hexId(span.spanId, 16);
        const parent = span.parentSpanId
          ? trace.setSpanContext(context.active(), {
              traceId,
              spanId: hexId(span.parentSpanId, 16),
              traceFlags: TraceFlags.SAMPLED,
              isRemote: true,
            })
          : trace.deleteSpan(context.active());
        const name = `${semconvOperation(span.operation)} ${span.model}`.trim();
        const otel = tracer.startSpan(
          name,
          {
            kind: SpanKind.CLIENT,
            startTime: span.startTime,
            attributes: genaiAttributes(span, includeContent),
            root: !span.parentSpanId,
          },
          parent,
        );
        for (const f of span.findings) {
          otel.addEvent(
            'llmtrace.security.finding',
            {
              'llmtrace.finding.type': f.type,
              'llmtrace.finding.severity': f.severity,
              'llmtrace.finding.confidence': f.confidence,
              'llmtrace.finding.detector': f.detector,
            },
            span.endTime,
          );
        }
        if (span.status !== 'ok' || span.statusCode >= 400)
          otel.setStatus({ code: SpanStatusCode.ERROR, message: span.status });
        otel.end(span.endTime);
      } catch (err) {
        logger.warn('otlp export: span dropped', { error: err instanceof Error ? err.message : String(err) });
      }
    },
    async forceFlush() {
      await provider
        .forceFlush()
        .catch((err: unknown) => logger.warn('otlp export failed', { error: String(err) }));
    },
    async shutdown() {
      closed = true;
      // A collector that is down must not fail the proxy's shutdown; the loss is logged.
      await provider
        .shutdown()
        .catch((err: unknown) => logger.warn('otlp export failed at shutdown', { error: String(err) }));
    },
  };
}
