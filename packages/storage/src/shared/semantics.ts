import type { Span, SpanQuery, StatsBucket } from '@llmtrace/core';

/**
 * The one definition of "error" every adapter implements in its own query language: a span with
 * status `error` or an error text. Used by `hasError` and by the `errors` statistic.
 */
export function isErrorSpan(s: Span): boolean {
  return s.status === 'error' || s.error !== undefined;
}

/** Case-insensitive substring match on prompt message contents and the response. */
export function matchesText(s: Span, needle: string): boolean {
  const n = needle.toLowerCase();
  return s.response.toLowerCase().includes(n) || s.prompt.some((m) => m.content.toLowerCase().includes(n));
}

/** Whether a span passes every filter of a query except the cursor and the limit. */
export function matchesQuery(s: Span, q: SpanQuery): boolean {
  if (s.tenantId !== q.tenantId) return false;
  if (q.from !== undefined && s.startTime < q.from) return false;
  if (q.to !== undefined && s.startTime >= q.to) return false;
  if (q.model !== undefined && s.model !== q.model) return false;
  if (q.provider !== undefined && s.provider !== q.provider) return false;
  if (q.operation !== undefined && s.operation !== q.operation) return false;
  if (q.agentId !== undefined && s.agentId !== q.agentId) return false;
  if (q.sessionId !== undefined && s.sessionId !== q.sessionId) return false;
  if (q.traceId !== undefined && s.traceId !== q.traceId) return false;
  if (q.minSecurityScore !== undefined && s.securityScore < q.minSecurityScore) return false;
  if (q.findingType !== undefined && !s.findings.some((f) => f.type === q.findingType)) return false;
  if (q.status !== undefined && s.status !== q.status) return false;
  if (q.hasError !== undefined && isErrorSpan(s) !== q.hasError) return false;
  if (q.text !== undefined && q.text !== '' && !matchesText(s, q.text)) return false;
  return true;
}

/** UTC day key `YYYY-MM-DD` used by `groupBy: 'day'`. */
export function dayKey(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** An empty statistics bucket. */
export function emptyBucket(key: string): StatsBucket {
  return {
    key,
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    costUsd: 0,
    errors: 0,
    findings: 0,
  };
}

/** Newest-first comparator: startTime desc, then spanId desc (the keyset order). */
export function newestFirst(a: Span, b: Span): number {
  if (a.startTime !== b.startTime) return b.startTime - a.startTime;
  return a.spanId < b.spanId ? 1 : a.spanId > b.spanId ? -1 : 0;
}

/** Sort groups by key ascending so results compare across adapters. */
export function sortBuckets(b: StatsBucket[]): StatsBucket[] {
  return b.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}
