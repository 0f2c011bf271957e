import type { Span } from '@llmtrace/core';
import { type Logger, silentLogger } from '@llmtrace/core';
import type { Attributes } from '@opentelemetry/api';
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

// The two stable semantic-convention attributes used here, by name: importing the conventions
// package for them would load its hundreds of constants into every proxy.
const ATTR_ERROR_TYPE = 'error.type';
const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';

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
export function hexId(id: string, length: 16 | 32): string {
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
 * The SDK (about 8 MB of memory) is imported in the background on the first call, so a process
 * that never exports never loads it; spans that finish meanwhile wait in a queue of at most
 * `maxQueueSize` and are exported once it has loaded.
 *
 * @example
 * const otlp = createOtlpExporter({ url: 'http://localhost:4318/v1/traces' });
 * createGateway({ ..., onSpan: otlp.onSpan });
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  const logger = options.logger ?? silentLogger;
  const maxQueued = options.maxQueueSize ?? 4096;
  let queued: Span[] | undefined = [];
  let dropped = 0;
  let closed = false;
  let sdk: OtlpExporter | undefined;
  const ready: Promise<OtlpExporter | undefined> = import('./exporter-sdk.js')
    .then(({ startSdkExporter }) => {
      const started = startSdkExporter(options, logger);
      for (const span of queued ?? []) started.onSpan(span);
      if (dropped > 0) logger.warn('otlp export: spans dropped while the exporter loaded', { dropped });
      queued = undefined;
      sdk = started;
      return started;
    })
    .catch((err: unknown) => {
      logger.error('otlp export unavailable: the exporter did not start', { error: String(err) });
      queued = undefined;
      return undefined;
    });

  return {
    onSpan(span) {
      if (closed) return;
      if (sdk) sdk.onSpan(span);
      else if (queued && queued.length < maxQueued) queued.push(span);
      else if (queued) dropped++;
    },
    async forceFlush() {
      await (await ready)?.forceFlush();
    },
    async shutdown() {
      closed = true;
      await (await ready)?.shutdown();
    },
  };
}
