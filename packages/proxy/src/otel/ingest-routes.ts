import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  type Finding,
  LLMTraceError,
  type Logger,
  type SpanSink,
  silentLogger,
  toErrorResponse,
} from '@llmtrace/core';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { CostModel, SpanScanner } from '../pipeline/types.js';
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  encodeOtlpProtobufResponse,
  type OtlpSpanRecord,
} from './otlp-decode.js';
import { isGenAiSpan, otlpToSpan } from './otlp-map.js';

const gunzipAsync = promisify(gunzip);

/** Dependencies of {@link createOtlpIngestRoutes}. */
export interface OtlpIngestDeps {
  /** Where mapped spans go (the same batched writer as proxied calls). */
  sink: SpanSink;
  /** Security scanner run on each span's prompt and response. */
  scanner?: SpanScanner;
  /** Price table for spans that carry a model and tokens. */
  pricing?: CostModel;
  /** The tenant of a request; throw an `LLMTraceError('unauthorized')` to refuse it. */
  resolveTenant(headers: Headers): string | Promise<string>;
  /** Largest accepted body after decompression, bytes (default 8 MiB). */
  maxBodyBytes?: number;
  logger?: Logger;
}

function scan(scanner: SpanScanner | undefined, span: ReturnType<typeof otlpToSpan>, logger: Logger): void {
  if (!scanner) return;
  const findings: Finding[] = [];
  let score = 0;
  try {
    if (span.prompt.length > 0) {
      const r = scanner.scanMessages(span.prompt);
      findings.push(...r.findings);
      score = Math.max(score, r.score);
    }
    if (span.response) {
      const system = span.prompt.find((m) => m.role === 'system')?.content;
      const r = scanner.scanResponse(span.response, { systemPrompt: system });
      findings.push(...r.findings);
      score = Math.max(score, r.score);
    }
  } catch (err) {
    // Fail open, as for proxied calls: the span is stored without findings.
    logger.warn('security scan failed on an ingested span', { err: String(err) });
  }
  span.findings = findings;
  span.securityScore = score;
}

/**
 * `POST /v1/traces`: accept OTLP/HTTP trace exports (`application/json` or `application/x-protobuf`,
 * optionally gzip-compressed) from apps instrumented with OpenTelemetry. GenAI spans are mapped to
 * LLMTrace spans, scanned, priced and handed to the sink like proxied calls; other spans are ignored
 * and counted in the response (`partialSuccess.errorMessage`).
 *
 * @example
 * app.route('/', createOtlpIngestRoutes({ sink: writer, scanner, resolveTenant: tenantFromHeaders }));
 */
export function createOtlpIngestRoutes(deps: OtlpIngestDeps): Hono {
  const logger = deps.logger ?? silentLogger;
  const maxBody = deps.maxBodyBytes ?? 8 * 1024 * 1024;
  const app = new Hono();

  app.onError((err, c) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500)
      logger.error('otlp ingest error', { error: err instanceof Error ? err.message : String(err) });
    return c.json(body, status as ContentfulStatusCode);
  });

  app.post('/v1/traces', async (c) => {
    const tenantId = await deps.resolveTenant(c.req.raw.headers);
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json' && type !== 'application/x-protobuf') {
      throw new LLMTraceError(
        'invalid_request',
        'content-type must be application/json or application/x-protobuf',
      );
    }
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > maxBody)
      throw new LLMTraceError('payload_too_large', `OTLP body exceeds ${maxBody} bytes`);
    let body = new Uint8Array(await c.req.arrayBuffer());
    if ((c.req.header('content-encoding') ?? '').toLowerCase() === 'gzip') {
      try {
        body = new Uint8Array(await gunzipAsync(body, { maxOutputLength: maxBody }));
      } catch {
        throw new LLMTraceError('invalid_request', 'OTLP body is not valid gzip or exceeds the size limit');
      }
    }
    if (body.byteLength > maxBody)
      throw new LLMTraceError('payload_too_large', `OTLP body exceeds ${maxBody} bytes`);
    const records: OtlpSpanRecord[] =
      type === 'application/json'
        ? decodeOtlpJson(Buffer.from(body).toString('utf8'))
        : decodeOtlpProtobuf(body);

    let accepted = 0;
    let ignored = 0;
    for (const r of records) {
      if (!isGenAiSpan(r) || !/^[0-9a-f]{32}$/.test(r.traceId) || !/^[0-9a-f]{16}$/.test(r.spanId)) {
        ignored++;
        continue;
      }
      const span = otlpToSpan(r, tenantId);
      scan(deps.scanner, span, logger);
      if (deps.pricing && span.model && span.usageSource !== 'none') {
        span.costUsd = deps.pricing.cost(span.model, {
          promptTokens: span.promptTokens,
          completionTokens: span.completionTokens,
          totalTokens: span.totalTokens,
          ...(span.cachedTokens !== undefined ? { cachedTokens: span.cachedTokens } : {}),
        });
      }
      deps.sink.record(span);
      accepted++;
    }
    const partial =
      ignored > 0 ? { rejectedSpans: 0, errorMessage: `ignored ${ignored} non-GenAI span(s)` } : undefined;
    if (type === 'application/x-protobuf') {
      return c.body(encodeOtlpProtobufResponse(partial) as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/x-protobuf',
      });
    }
    return c.json({ ...(partial ? { partialSuccess: partial } : {}), accepted, ignored });
  });
  return app;
}
