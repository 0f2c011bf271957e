import type { Span } from '@llmtrace/core';

/**
 * A span as a flat row with the column names every SQL adapter uses. JSON-valued fields are
 * strings here; PostgreSQL stores them as JSONB, SQLite and ClickHouse as text.
 */
export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  tenant_id: string;
  agent_id: string | null;
  session_id: string | null;
  end_user: string | null;
  operation: string;
  provider: string;
  model_name: string;
  response_model: string | null;
  method: string | null;
  path: string | null;
  start_time: number;
  end_time: number;
  duration_ms: number;
  ttft_ms: number | null;
  stream: number;
  status_code: number;
  status: string;
  error: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number | null;
  reasoning_tokens: number | null;
  usage_source: string;
  cost_usd: number | null;
  security_score: number;
  findings: string;
  prompt: string;
  response: string;
  tool_calls: string;
  finish_reason: string | null;
  params: string | null;
  tags: string;
}

/** Column names in insert order. */
export const SPAN_COLUMNS = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'tenant_id',
  'agent_id',
  'session_id',
  'end_user',
  'operation',
  'provider',
  'model_name',
  'response_model',
  'method',
  'path',
  'start_time',
  'end_time',
  'duration_ms',
  'ttft_ms',
  'stream',
  'status_code',
  'status',
  'error',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cached_tokens',
  'reasoning_tokens',
  'usage_source',
  'cost_usd',
  'security_score',
  'findings',
  'prompt',
  'response',
  'tool_calls',
  'finish_reason',
  'params',
  'tags',
] as const satisfies readonly (keyof SpanRow)[];

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** A row whose JSON-valued columns still hold their values (for drivers that encode JSON themselves). */
export type SpanRecord = Omit<
  SpanRow,
  'findings' | 'prompt' | 'tool_calls' | 'params' | 'tags' | 'stream'
> & {
  findings: Span['findings'];
  prompt: Span['prompt'];
  tool_calls: Span['toolCalls'];
  params: Span['params'] | null;
  tags: Span['tags'];
  stream: boolean;
};

/**
 * A span's {@link SpanRow} values in {@link SPAN_COLUMNS} order, as a positional insert takes
 * them, built without a row object in between: it runs once per stored span on the proxy's event
 * loop (the SQLite writer).
 */
export function spanToValues(s: Span): unknown[] {
  return [
    s.traceId,
    s.spanId,
    orNull(s.parentSpanId),
    s.tenantId,
    orNull(s.agentId),
    orNull(s.sessionId),
    orNull(s.endUser),
    s.operation,
    s.provider,
    s.model,
    orNull(s.responseModel),
    orNull(s.method),
    orNull(s.path),
    s.startTime,
    s.endTime,
    s.durationMs,
    orNull(s.ttftMs),
    s.stream ? 1 : 0,
    s.statusCode,
    s.status,
    orNull(s.error),
    s.promptTokens,
    s.completionTokens,
    s.totalTokens,
    orNull(s.cachedTokens),
    orNull(s.reasoningTokens),
    s.usageSource,
    orNull(s.costUsd),
    s.securityScore,
    JSON.stringify(s.findings),
    JSON.stringify(s.prompt),
    s.response,
    JSON.stringify(s.toolCalls),
    orNull(s.finishReason),
    s.params === undefined ? null : JSON.stringify(s.params),
    JSON.stringify(s.tags),
  ];
}

/** Flatten a span into a {@link SpanRecord}: column names, JSON values left as they are. */
export function spanToRecord(s: Span): SpanRecord {
  return {
    trace_id: s.traceId,
    span_id: s.spanId,
    parent_span_id: orNull(s.parentSpanId),
    tenant_id: s.tenantId,
    agent_id: orNull(s.agentId),
    session_id: orNull(s.sessionId),
    end_user: orNull(s.endUser),
    operation: s.operation,
    provider: s.provider,
    model_name: s.model,
    response_model: orNull(s.responseModel),
    method: orNull(s.method),
    path: orNull(s.path),
    start_time: s.startTime,
    end_time: s.endTime,
    duration_ms: s.durationMs,
    ttft_ms: orNull(s.ttftMs),
    stream: s.stream,
    status_code: s.statusCode,
    status: s.status,
    error: orNull(s.error),
    prompt_tokens: s.promptTokens,
    completion_tokens: s.completionTokens,
    total_tokens: s.totalTokens,
    cached_tokens: orNull(s.cachedTokens),
    reasoning_tokens: orNull(s.reasoningTokens),
    usage_source: s.usageSource,
    cost_usd: orNull(s.costUsd),
    security_score: s.securityScore,
    findings: s.findings,
    prompt: s.prompt,
    response: s.response,
    tool_calls: s.toolCalls,
    finish_reason: orNull(s.finishReason),
    params: s.params ?? null,
    tags: s.tags,
  };
}

type Loose = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/**
 * Rebuild a span from a row as a driver returned it: numbers may arrive as strings (PostgreSQL
 * BIGINT, ClickHouse 64-bit ints), JSON as strings or parsed objects, absent values as `null`.
 */
export function rowToSpan(r: Loose): Span {
  const s: Span = {
    traceId: String(r.trace_id),
    spanId: String(r.span_id),
    tenantId: String(r.tenant_id),
    operation: r.operation as Span['operation'],
    provider: String(r.provider),
    model: String(r.model_name),
    startTime: num(r.start_time),
    endTime: num(r.end_time),
    durationMs: num(r.duration_ms),
    stream: r.stream === true || num(r.stream) === 1,
    statusCode: num(r.status_code),
    status: r.status as Span['status'],
    promptTokens: num(r.prompt_tokens),
    completionTokens: num(r.completion_tokens),
    totalTokens: num(r.total_tokens),
    usageSource: r.usage_source as Span['usageSource'],
    securityScore: num(r.security_score),
    findings: json(r.findings) as Span['findings'],
    prompt: json(r.prompt) as Span['prompt'],
    response: String(r.response),
    toolCalls: json(r.tool_calls) as Span['toolCalls'],
    tags: json(r.tags) as Span['tags'],
  };
  const opt = (key: string): unknown => (r[key] === null || r[key] === undefined ? undefined : r[key]);
  const str = (key: string): string | undefined => {
    const v = opt(key);
    return v === undefined ? undefined : String(v);
  };
  const n = (key: string): number | undefined => {
    const v = opt(key);
    return v === undefined ? undefined : num(v);
  };
  const set = <K extends keyof Span>(k: K, v: Span[K] | undefined): void => {
    if (v !== undefined) s[k] = v;
  };
  set('parentSpanId', str('parent_span_id'));
  set('agentId', str('agent_id'));
  set('sessionId', str('session_id'));
  set('endUser', str('end_user'));
  set('responseModel', str('response_model'));
  set('method', str('method'));
  set('path', str('path'));
  set('ttftMs', n('ttft_ms'));
  set('error', str('error'));
  set('cachedTokens', n('cached_tokens'));
  set('reasoningTokens', n('reasoning_tokens'));
  set('costUsd', n('cost_usd'));
  set('finishReason', str('finish_reason'));
  const params = opt('params');
  if (params !== undefined) s.params = json(params) as Record<string, unknown>;
  return s;
}
