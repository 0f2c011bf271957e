import type { Finding, Span, SpanQuery, TraceStore } from '@llmtrace/core';
import { LLMTraceError } from '@llmtrace/core';
import { Hono } from 'hono';
import type { z } from 'zod';
import { type ApiEnv, need, parseQuery, tenantOf } from './context.js';
import { findingListQuery, findingSummaryQuery, spanListQuery, statsQuery, tenantParam } from './schemas.js';

/** Store pages read at most by one findings request (bounds the work on large stores). */
const MAX_FINDING_PAGES = 10;
/** Spans read at most to summarise severities and actions. */
const SUMMARY_SCAN_LIMIT = 20_000;

/** Map validated query parameters onto the store's filters. */
export function toSpanQuery(tenantId: string, q: z.output<typeof spanListQuery>): SpanQuery {
  const from = q.since === undefined ? q.from : Math.max(q.since, q.from ?? 0);
  return {
    tenantId,
    from,
    to: q.to,
    model: q.model,
    provider: q.provider,
    operation: q.operation,
    agentId: q.agentId,
    sessionId: q.sessionId,
    traceId: q.traceId,
    status: q.status,
    hasError: q.hasError,
    minSecurityScore: q.minSecurityScore,
    findingType: q.findingType,
    text: q.q,
    limit: q.limit,
    cursor: q.cursor,
  };
}

function traceSummaries(spans: readonly Span[]) {
  const byId = new Map<string, Span[]>();
  for (const s of spans) {
    const list = byId.get(s.traceId);
    if (list) list.push(s);
    else byId.set(s.traceId, [s]);
  }
  return [...byId.entries()].map(([traceId, list]) => {
    const start = Math.min(...list.map((s) => s.startTime));
    const end = Math.max(...list.map((s) => s.endTime));
    return {
      traceId,
      startTime: start,
      durationMs: end - start,
      spanCount: list.length,
      models: [...new Set(list.map((s) => s.model))],
      totalTokens: list.reduce((n, s) => n + s.totalTokens, 0),
      costUsd: list.reduce((n, s) => n + (s.costUsd ?? 0), 0),
      maxSecurityScore: Math.max(...list.map((s) => s.securityScore)),
      findings: list.reduce((n, s) => n + s.findings.length, 0),
      errors: list.filter((s) => s.status === 'error' || s.statusCode >= 400).length,
    };
  });
}

function findingRows(span: Span, filter: (f: Finding) => boolean) {
  const action = span.status === 'blocked' ? ('blocked' as const) : ('flagged' as const);
  return span.findings.filter(filter).map((f) => ({
    ...f,
    traceId: span.traceId,
    spanId: span.spanId,
    time: span.startTime,
    model: span.model,
    action,
  }));
}

/** Read-only telemetry routes: spans, traces, findings, stats (viewer and up). */
export function createReadRoutes(store: TraceStore): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/spans', async (c) => {
    const q = parseQuery(c, spanListQuery);
    const tenantId = tenantOf(need(c, 'viewer'), q.tenant);
    const page = await store.querySpans(toSpanQuery(tenantId, q));
    return c.json(page);
  });

  app.get('/spans/:spanId', async (c) => {
    const q = parseQuery(c, tenantParam.extend({ traceId: spanListQuery.shape.traceId }));
    const tenantId = tenantOf(need(c, 'viewer'), q.tenant);
    const spanId = c.req.param('spanId');
    if (q.traceId !== undefined) {
      const trace = await store.getTrace(tenantId, q.traceId);
      const span = trace?.spans.find((s) => s.spanId === spanId);
      if (span) return c.json(span);
    }
    throw new LLMTraceError('not_found', 'span not found (pass ?traceId= of its trace)');
  });

  app.get('/traces', async (c) => {
    const q = parseQuery(c, spanListQuery);
    const tenantId = tenantOf(need(c, 'viewer'), q.tenant);
    const page = await store.querySpans(toSpanQuery(tenantId, q));
    return c.json({ traces: traceSummaries(page.spans), nextCursor: page.nextCursor });
  });

  app.get('/traces/:traceId', async (c) => {
    const q = parseQuery(c, tenantParam);
    const tenantId = tenantOf(need(c, 'viewer'), q.tenant);
    const trace = await store.getTrace(tenantId, c.req.param('traceId'));
    if (!trace) throw new LLMTraceError('not_found', 'trace not found');
    return c.json(trace);
  });

  app.get('/findings', async (c) => {
    const q = parseQuery(c, findingListQuery);
    const tenantId = tenantOf(need(c, 'viewer'), q.tenant);
    const limit = q.limit ?? 100;
    const keep = (f: Finding) =>
      (q.type === undefined || f.type === q.type) && (q.severity === undefined || f.severity === q.severity);
    const findings: ReturnType<typeof findingRows> = [];
    let cursor = q.cursor;
    for (let i = 0; i < MAX_FINDING_PAGES && findings.length < limit; i++) {
      const page = await store.querySpans({
        tenantId,
        from: q.from,
        to: q.to,
        findingType: q.type,
        limit: 500,
        cursor,
      });
      for (const s of page.spans) findings.push(...findingRows(s, keep));
      cursor = page.nextCursor;
      if (cursor === undefined) break;
    }
    return c.json({ findings, nextCursor: cursor });
  });

  app.get('/findings/summary', async (c) => {
    const q = parseQuery(c, findingSummaryQuery);
    const tenantId = tenantOf(need(c, 'viewer'), q.tenant);
    // Exact counts by type come from the store's aggregate; severities and actions need the
    // findings themselves, read from the newest spans up to a bound.
    const stats = await store.stats({ tenantId, from: q.from, to: q.to });
    const bySeverity: Record<string, number> = {};
    const byAction = { blocked: 0, flagged: 0 };
    let scanned = 0;
    let cursor: string | undefined;
    do {
      const page = await store.querySpans({ tenantId, from: q.from, to: q.to, limit: 1000, cursor });
      for (const s of page.spans) {
        scanned++;
        if (s.findings.length === 0) continue;
        byAction[s.status === 'blocked' ? 'blocked' : 'flagged']++;
        for (const f of s.findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined && scanned < SUMMARY_SCAN_LIMIT);
    return c.json({
      byType: stats.findingsByType,
      bySeverity,
      byAction,
      spansScanned: scanned,
      truncated: cursor !== undefined,
    });
  });

  app.get('/stats', async (c) => {
    const q = parseQuery(c, statsQuery);
    const tenantId = tenantOf(need(c, 'viewer'), q.tenant);
    return c.json(await store.stats({ tenantId, from: q.from, to: q.to, groupBy: q.groupBy }));
  });

  return app;
}
