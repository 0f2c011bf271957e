import {
  type Finding,
  LLMTraceError,
  type Logger,
  newSpanId,
  newTraceId,
  type Span,
  type SpanSink,
  silentLogger,
  toErrorResponse,
} from '@llmtrace/core';
import { Hono } from 'hono';
import { costOfSpan, scanConversation } from '../pipeline/analyze.js';
import { readBody } from '../pipeline/body.js';
import type { CostModel, SpanScanner } from '../pipeline/types.js';
import { describeIssue, type IngestSpan, ingestBodySchema } from './schema.js';

/** Dependencies of {@link createIngestRoutes}. */
export interface IngestDeps {
  /** Where accepted spans go (usually the same batched writer the proxy uses). */
  sink: SpanSink;
  /** When given, every ingested span is re-scanned and its findings merged with the SDK's. */
  scanner?: SpanScanner;
  /** Price table: spans that carry a model and tokens but no cost get one (unknown models stay unpriced). */
  pricing?: CostModel;
  /** The tenant of a request, from its headers (API key or `X-LLMTrace-Tenant-ID`). May throw an `LLMTraceError`. */
  resolveTenant: (headers: Headers) => string | Promise<string>;
  logger?: Logger;
  /** Most spans accepted in one request (default 1000); more gets 413. */
  maxSpans?: number;
  /** Largest request body, bytes (default 8 MiB); larger gets 413. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_SPANS = 1000;
const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

function findingKey(f: Finding): string {
  const loc = f.location;
  return `${f.type}|${f.detector}|${loc ? `${loc.side}:${loc.messageIndex ?? ''}:${loc.start}:${loc.end}` : ''}`;
}

/** Fill defaults, pin the tenant, and (optionally) re-scan one validated span. */
function complete(input: IngestSpan, tenantId: string, deps: IngestDeps, logger: Logger): Span {
  const endTime = input.endTime ?? input.startTime + (input.durationMs ?? 0);
  const tokens = input.promptTokens + input.completionTokens;
  const status = input.status ?? (input.error !== undefined ? 'error' : 'ok');
  const { tenantId: _ignored, ...rest } = input;
  const span: Span = {
    ...rest,
    traceId: input.traceId ?? newTraceId(),
    spanId: input.spanId ?? newSpanId(),
    tenantId,
    endTime,
    durationMs: input.durationMs ?? endTime - input.startTime,
    statusCode: input.statusCode ?? (status === 'error' ? 500 : 200),
    status,
    totalTokens: input.totalTokens ?? tokens,
    usageSource: input.usageSource ?? (tokens > 0 ? 'upstream' : 'none'),
    findings: input.findings.map((f) => ({ ...f, message: f.message || f.type })),
  };
  if (span.costUsd === undefined && deps.pricing && span.model && span.usageSource !== 'none') {
    span.costUsd = costOfSpan(deps.pricing, span.responseModel || span.model, span);
  }
  const scanned = scanConversation(deps.scanner, span.prompt, span.response, logger);
  span.securityScore = Math.max(span.securityScore, scanned.score);
  const seen = new Set(span.findings.map(findingKey));
  for (const f of scanned.findings) {
    const key = findingKey(f);
    if (seen.has(key)) continue;
    seen.add(key);
    span.findings.push(f);
  }
  return span;
}

/**
 * The span-ingest API as a Hono sub-app: `POST /spans` with `{"spans":[…]}` in the core `Span`
 * shape (camelCase; ids, times, totals and `usageSource` are filled in when missing). Every field
 * is validated (a bad one gets 400 naming it); the tenant always comes from `resolveTenant`, never
 * from the body; spans are re-scanned when a scanner is given, then handed to the sink. Answers
 * `202 {"accepted": n}`.
 *
 * @example
 * app.route('/api/v1', createIngestRoutes({ sink: writer, scanner, resolveTenant: (h) => h.get('x-llmtrace-tenant-id') ?? 'default' }));
 */
export function createIngestRoutes(deps: IngestDeps): Hono {
  const logger = deps.logger ?? silentLogger;
  const maxSpans = deps.maxSpans ?? DEFAULT_MAX_SPANS;
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const bodySchema = ingestBodySchema(maxSpans);
  const app = new Hono();

  app.onError((err, c) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500) logger.error('ingest failed', { err: String(err) });
    return c.json(body, status as 500);
  });

  app.post('/spans', async (c) => {
    const tenantId = await deps.resolveTenant(c.req.raw.headers);
    const bytes = await readBody(c.req.raw, maxBodyBytes);
    const text = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : '';
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new LLMTraceError('invalid_request', 'body is not valid JSON');
    }
    // Check the count before validating: a huge array should cost nothing to refuse.
    const list = (raw as { spans?: unknown } | null)?.spans;
    if (Array.isArray(list) && list.length > maxSpans) {
      throw new LLMTraceError('payload_too_large', `at most ${maxSpans} spans per request`);
    }
    const parsed = bodySchema.safeParse(raw);
    if (!parsed.success) throw new LLMTraceError('invalid_request', describeIssue(parsed.error));
    const spans = parsed.data.spans.map((s) => complete(s, tenantId, deps, logger));
    for (const span of spans) deps.sink.record(span);
    logger.debug('spans ingested', { tenantId, count: spans.length });
    return c.json({ accepted: spans.length }, 202);
  });

  return app;
}
