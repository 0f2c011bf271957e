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
import type { CostModel, ScanOutcome, SpanScanner } from '../pipeline/types.js';
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

async function readBody(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    throw new LLMTraceError('payload_too_large', `request body exceeds ${limit} bytes`);
  }
  if (!req.body) return '';
  // Count bytes as they arrive: a chunked body has no content-length to check up front.
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new LLMTraceError('payload_too_large', `request body exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function findingKey(f: Finding): string {
  const loc = f.location;
  return `${f.type}|${f.detector}|${loc ? `${loc.side}:${loc.messageIndex ?? ''}:${loc.start}:${loc.end}` : ''}`;
}

function safeScan(scan: () => ScanOutcome, logger: Logger): ScanOutcome | undefined {
  // Detectors should not throw, but a scanner bug must never lose the span: fail open, say so.
  try {
    return scan();
  } catch (err) {
    logger.warn('ingest scan failed', { err: String(err) });
    return undefined;
  }
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
    span.costUsd = deps.pricing.cost(span.responseModel || span.model, {
      promptTokens: span.promptTokens,
      completionTokens: span.completionTokens,
      totalTokens: span.totalTokens,
      cachedTokens: span.cachedTokens,
      reasoningTokens: span.reasoningTokens,
    });
  }
  if (deps.scanner) {
    const scanner = deps.scanner;
    const system = span.prompt.find((m) => m.role === 'system')?.content;
    const outcomes = [
      span.prompt.length > 0 ? safeScan(() => scanner.scanMessages(span.prompt), logger) : undefined,
      span.response !== ''
        ? safeScan(() => scanner.scanResponse(span.response, { systemPrompt: system }), logger)
        : undefined,
    ];
    const seen = new Set(span.findings.map(findingKey));
    for (const outcome of outcomes) {
      if (!outcome) continue;
      span.securityScore = Math.max(span.securityScore, outcome.score);
      for (const f of outcome.findings) {
        const key = findingKey(f);
        if (seen.has(key)) continue;
        seen.add(key);
        span.findings.push(f);
      }
    }
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
    const text = await readBody(c.req.raw, maxBodyBytes);
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
