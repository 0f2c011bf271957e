import type { Finding, PromptMessage, Span, SpanStatus, UsageSource } from '@llmtrace/core';
import type { ParsedRequest, ParsedResponse, ProviderFormat, Usage } from '../providers/types.js';
import { estimateUsage } from '../usage/estimate.js';
import { scanConversation } from './analyze.js';
import { decodeBody, decodeFailureMessage } from './decode.js';
import { redactSpan } from './redact-span.js';
import type { RequestIdentity } from './tenant.js';
import type { PipelineDeps } from './types.js';

/** A captured response body and what is needed to read it. */
export interface ResponseBody {
  bytes: Uint8Array;
  /** The upstream's `content-encoding`, if any. */
  encoding?: string;
  contentType: string;
  /** Cut off at the capture limit. */
  truncated: boolean;
}

/** Everything known about a call when it is over, before analysis. */
export interface CallRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  identity: RequestIdentity;
  method: string;
  path: string;
  /** Provider named by the routing rule that matched, if any; it wins over the format's. */
  provider?: string;
  format?: ProviderFormat;
  request?: ParsedRequest;
  /**
   * The request body as the client sent it, when nothing on the request path needed it parsed:
   * read into `request` when the span is built, after the client has its answer.
   */
  requestBody?: Uint8Array;
  /** Why the request body could not be understood (it was still forwarded). */
  requestParseError?: string;
  response?: ParsedResponse;
  /** Why the response could not be understood (the client still got it). */
  responseParseError?: string;
  /**
   * A non-streaming response body as the upstream sent it (up to the capture limit), read into
   * `response` (or `error`, for a 4xx/5xx) when the span is built: after the client has its answer.
   */
  responseBody?: ResponseBody;
  stream: boolean;
  startTime: number;
  endTime: number;
  ttftMs?: number;
  statusCode: number;
  status: SpanStatus;
  error?: string;
  /** Input scan already done by a policy before forwarding (not repeated here). */
  inputScan?: { findings: Finding[]; score: number };
  /** Called with the finished span (budget settlement and the like). */
  onFinish?: Array<(span: Span) => void>;
}

const MAX_ERROR_CHARS = 4096;

function usageOf(rec: CallRecord): { usage: Usage; source: UsageSource } {
  const u = rec.response?.usage;
  if (u) return { usage: u, source: 'upstream' };
  if (rec.request && rec.response && rec.statusCode < 400) {
    try {
      return { usage: estimateUsage(rec.request, rec.response), source: 'estimated' };
    } catch {
      // fall through: no usage rather than a failed span
    }
  }
  return { usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 }, source: 'none' };
}

function scan(
  deps: Pick<PipelineDeps, 'scanner' | 'logger'>,
  prompt: PromptMessage[],
  response: string,
  systemPrompt: string | undefined,
  inputScan: CallRecord['inputScan'],
): { findings: Finding[]; score: number } {
  const r = scanConversation(deps.scanner, prompt, response, deps.logger, {
    systemPrompt,
    skipPrompt: !!inputScan,
  });
  return {
    findings: [...(inputScan?.findings ?? []), ...r.findings],
    score: Math.max(inputScan?.score ?? 0, r.score),
  };
}

/** Turn a finished call into a span (usage, cost, security analysis). Pure apart from the scanner. */
export function buildSpan(rec: CallRecord, deps: Pick<PipelineDeps, 'scanner' | 'pricing' | 'logger'>): Span {
  const { usage, source } = usageOf(rec);
  const prompt = rec.request?.messages ?? [];
  const responseText = rec.response?.text ?? '';
  const { findings, score } = scan(deps, prompt, responseText, rec.request?.systemPrompt, rec.inputScan);
  let costUsd: number | undefined;
  const model = rec.response?.responseModel || rec.request?.model || '';
  if (deps.pricing && source !== 'none' && model) costUsd = deps.pricing.cost(model, usage);
  const errors = [rec.error, rec.response?.error, rec.requestParseError, rec.responseParseError].filter(
    (e): e is string => typeof e === 'string' && e.length > 0,
  );
  return {
    traceId: rec.traceId,
    spanId: rec.spanId,
    parentSpanId: rec.parentSpanId,
    tenantId: rec.identity.tenantId,
    agentId: rec.identity.agentId,
    sessionId: rec.identity.sessionId,
    endUser: rec.request?.endUser,
    operation: rec.format?.operation ?? 'other',
    provider: rec.provider ?? rec.format?.provider ?? 'unknown',
    model: rec.request?.model ?? '',
    responseModel: rec.response?.responseModel,
    method: rec.method,
    path: rec.path,
    startTime: rec.startTime,
    endTime: rec.endTime,
    durationMs: rec.endTime - rec.startTime,
    ttftMs: rec.ttftMs,
    stream: rec.stream,
    statusCode: rec.statusCode,
    status: rec.status,
    error: errors.length > 0 ? errors.join('; ').slice(0, MAX_ERROR_CHARS) : undefined,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    totalTokens: usage.totalTokens,
    cachedTokens: usage.cachedTokens,
    reasoningTokens: usage.reasoningTokens,
    usageSource: source,
    costUsd,
    securityScore: score,
    findings,
    prompt,
    response: responseText,
    toolCalls: rec.response?.toolCalls ?? [],
    finishReason: rec.response?.finishReason,
    params: rec.request?.params,
    tags: {},
  };
}

/** Build the span (usage, cost, security analysis, redaction if asked). Never throws. */
export function analyzeCall(
  rec: CallRecord,
  deps: Pick<PipelineDeps, 'scanner' | 'pricing' | 'logger' | 'redactStored'>,
): Span | undefined {
  try {
    if (rec.requestBody) readRequestBody(rec, rec.requestBody);
    if (rec.responseBody) readResponseBody(rec, rec.responseBody);
    const span = buildSpan(rec, deps);
    return deps.redactStored ? redactSpan(span) : span;
  } catch (err) {
    deps.logger.error('could not build span', { err: String(err), traceId: rec.traceId });
    return undefined;
  }
}

/**
 * Read a captured body into the record: the upstream's error text for a 4xx/5xx, else the parsed
 * response (or why it could not be parsed). A failure to decode or parse is recorded, never thrown.
 */
function readResponseBody(rec: CallRecord, body: ResponseBody): void {
  rec.responseBody = undefined;
  const note = (why: string): void => {
    rec.responseParseError = rec.responseParseError ? `${rec.responseParseError}; ${why}` : why;
  };
  const raw = Buffer.isBuffer(body.bytes)
    ? body.bytes
    : Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
  const decoded = decodeBody(raw, body.encoding);
  if (typeof decoded === 'string') {
    note(decodeFailureMessage(decoded, body.encoding));
    return;
  }
  const text = decoded.toString('utf8');
  if (rec.statusCode >= 400) {
    rec.error = text.slice(0, 4096) || `upstream answered ${rec.statusCode}`;
    return;
  }
  if (!rec.format || !rec.request) return;
  if (body.truncated) {
    note('response larger than the capture limit; not parsed');
    return;
  }
  if (!body.contentType.includes('json')) return;
  try {
    rec.response = rec.format.parseResponse(JSON.parse(text));
  } catch (err) {
    note(`response not understood: ${String(err)}`);
  }
}

/**
 * Read a request body of a known format into `rec.request` (and `rec.stream`), once: on the
 * request path when a policy or the stream parser needs it, else when the span is built. Returns
 * the JSON value (policies may change it), or `undefined` when the body is not JSON; what could
 * not be read is noted in `rec.requestParseError`, and the body was forwarded as it was.
 */
export function readRequestBody(rec: CallRecord, body: Uint8Array): unknown {
  rec.requestBody = undefined;
  if (!rec.format || body.length === 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    rec.requestParseError = 'request body is not valid JSON; forwarded unchanged';
    return undefined;
  }
  try {
    const parsed = rec.format.parseRequest(json);
    rec.request = parsed;
    rec.stream = rec.stream || parsed.stream;
  } catch (err) {
    rec.requestParseError = `request not understood: ${String(err)}`;
  }
  return json;
}

/** Hand a finished span to the sink, then the call's own and the gateway's listeners. Never throws. */
export function deliverSpan(
  span: Span,
  onFinish: CallRecord['onFinish'],
  deps: Pick<PipelineDeps, 'sink' | 'onSpan' | 'logger'>,
): void {
  try {
    deps.sink.record(span);
  } catch (err) {
    deps.logger.error('span sink threw', { err: String(err) });
  }
  for (const listener of [...(onFinish ?? []), ...deps.onSpan]) {
    try {
      listener(span);
    } catch (err) {
      deps.logger.warn('span listener threw', { err: String(err) });
    }
  }
}
