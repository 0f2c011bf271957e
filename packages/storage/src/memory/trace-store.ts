import type {
  HealthStatus,
  Span,
  SpanPage,
  SpanQuery,
  Stats,
  StatsBucket,
  StatsQuery,
  Trace,
  TraceStore,
} from '@llmtrace/core';
import { decodeCursor, encodeCursor, pageLimit } from '../shared/cursor.js';
import {
  dayKey,
  emptyBucket,
  isErrorSpan,
  matchesQuery,
  newestFirst,
  sortBuckets,
} from '../shared/semantics.js';

/**
 * A TraceStore held in process memory: for tests, demos and `storage.profile: memory`. Spans are
 * copied in and out (structuredClone) so callers cannot mutate stored data. Nothing survives a
 * restart.
 *
 * @example
 * const store = createMemoryStore();
 * await store.insertSpans([span]);
 */
export function createMemoryStore(): TraceStore {
  // Key: tenant + span id, so ids never collide across tenants.
  const spans = new Map<string, Span>();
  const key = (tenantId: string, spanId: string): string => `${tenantId}\u0000${spanId}`;

  return {
    name: 'memory',
    async migrate(): Promise<void> {},
    async insertSpans(batch: readonly Span[]): Promise<number> {
      const before = spans.size;
      for (const s of batch) {
        const k = key(s.tenantId, s.spanId);
        if (!spans.has(k)) spans.set(k, structuredClone(s));
      }
      return spans.size - before;
    },
    async getTrace(tenantId: string, traceId: string): Promise<Trace | undefined> {
      const found = [...spans.values()].filter((s) => s.tenantId === tenantId && s.traceId === traceId);
      if (found.length === 0) return undefined;
      found.sort((a, b) => a.startTime - b.startTime || (a.spanId < b.spanId ? -1 : 1));
      return { traceId, tenantId, spans: found.map((s) => structuredClone(s)) };
    },
    async querySpans(q: SpanQuery): Promise<SpanPage> {
      const limit = pageLimit(q.limit);
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      const matched = [...spans.values()]
        .filter((s) => matchesQuery(s, q))
        .filter(
          (s) =>
            after === undefined ||
            s.startTime < after.startTime ||
            (s.startTime === after.startTime && s.spanId < after.spanId),
        )
        .sort(newestFirst);
      const page = matched.slice(0, limit).map((s) => structuredClone(s));
      const last = page[page.length - 1];
      return matched.length > limit && last
        ? { spans: page, nextCursor: encodeCursor({ startTime: last.startTime, spanId: last.spanId }) }
        : { spans: page };
    },
    async stats(q: StatsQuery): Promise<Stats> {
      const total = emptyBucket('total');
      const groups = new Map<string, StatsBucket>();
      const findingsByType: Record<string, number> = {};
      for (const s of spans.values()) {
        if (s.tenantId !== q.tenantId) continue;
        if (q.from !== undefined && s.startTime < q.from) continue;
        if (q.to !== undefined && s.startTime >= q.to) continue;
        const buckets = [total];
        if (q.groupBy) {
          const k =
            q.groupBy === 'model' ? s.model : q.groupBy === 'day' ? dayKey(s.startTime) : (s.agentId ?? '');
          const g = groups.get(k) ?? emptyBucket(k);
          groups.set(k, g);
          buckets.push(g);
        }
        for (const b of buckets) {
          b.requests += 1;
          b.promptTokens += s.promptTokens;
          b.completionTokens += s.completionTokens;
          b.totalTokens += s.totalTokens;
          b.costUsd += s.costUsd ?? 0;
          b.errors += isErrorSpan(s) ? 1 : 0;
          b.findings += s.findings.length;
        }
        for (const f of s.findings) findingsByType[f.type] = (findingsByType[f.type] ?? 0) + 1;
      }
      return { total, groups: sortBuckets([...groups.values()]), findingsByType };
    },
    async deleteBefore(before: number, tenantId?: string): Promise<number> {
      let n = 0;
      for (const [k, s] of spans) {
        if (s.startTime < before && (tenantId === undefined || s.tenantId === tenantId)) {
          spans.delete(k);
          n += 1;
        }
      }
      return n;
    },
    async health(): Promise<HealthStatus> {
      return { ok: true };
    },
    async close(): Promise<void> {},
  };
}
