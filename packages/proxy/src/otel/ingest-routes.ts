import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { LLMTraceError, type Logger, type SpanSink, silentLogger, toErrorResponse } from '@llmtrace/core';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { costOfSpan, scanConversation } from '../pipeline/analyze.js';
import { readBody } from '../pipeline/body.js';
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
    // Bounded while reading, so a chunked body without content-length cannot exceed the limit.
    let body = (await readBody(c.req.raw, maxBody)) ?? new Uint8Array();
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
      const scanned = scanConversation(deps.scanner, span.prompt, span.response, logger);
      span.findings = scanned.findings;
      span.securityScore = scanned.score;
      if (deps.pricing && span.model && span.usageSource !== 'none') {
        span.costUsd = costOfSpan(deps.pricing, span.model, span);
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
