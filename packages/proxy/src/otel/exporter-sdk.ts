import type { Logger } from '@llmtrace/core';
import { context, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { genaiAttributes, hexId, type OtlpExporter, type OtlpExporterOptions } from './exporter.js';
import { semconvOperation } from './genai.js';

/**
 * The exporter proper, on the official OpenTelemetry SDK: a `BasicTracerProvider` with a
 * `BatchSpanProcessor`, each span re-created with its original start and end times, trace id,
 * span id and parent. Loaded by {@link createOtlpExporter} only when export is configured.
 */
export function startSdkExporter(options: OtlpExporterOptions, logger: Logger): OtlpExporter {
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
