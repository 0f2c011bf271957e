import type { Span, SpanQuery, TraceStore } from '@llmtrace/core';
import { LLMTraceError } from '@llmtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataset, fullSpan, makeSpan, newestFirstIds, T0 } from './fixtures.js';

/** How a contract run gets a fresh, migrated store and gets rid of it. */
export interface ContractTarget {
  /** A fresh, empty store (not yet migrated). */
  create(): Promise<TraceStore>;
  /** Called after the store was closed (drop schemas, remove files). */
  cleanup?(): Promise<void>;
}

async function allIds(store: TraceStore, q: Omit<SpanQuery, 'cursor'>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await store.querySpans({ ...q, cursor });
    ids.push(...page.spans.map((s) => s.spanId));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not terminate');
}

/**
 * The one behaviour every TraceStore adapter must have. Each adapter's test file calls this with
 * a factory for a fresh store against a real database.
 */
export function runTraceStoreContract(name: string, target: ContractTarget): void {
  describe(`TraceStore contract: ${name}`, () => {
    let store: TraceStore;
    const data = dataset('tenant-a');
    const other = dataset('tenant-b').map((s) => ({
      ...s,
      response: `tenant b ${s.response}`,
      model: `b-${s.model}`,
    }));

    beforeAll(async () => {
      store = await target.create();
      await store.migrate();
      await store.migrate(); // idempotent
      await store.insertSpans(data.slice(0, 20));
      await store.insertSpans(data.slice(20));
      await store.insertSpans(other);
    });
    afterAll(async () => {
      await store?.close();
      await target.cleanup?.();
    });

    const ids = (pred: (s: Span) => boolean): string[] => newestFirstIds(data.filter(pred));
    const query = (q: Partial<SpanQuery>): Promise<string[]> =>
      allIds(store, { tenantId: 'tenant-a', limit: 1000, ...q });

    it('reports health and its name', async () => {
      expect(await store.health()).toEqual({ ok: true });
      expect(store.name).toBe(name.split(' ')[0]);
    });

    it('returns all of a tenant newest first, ties broken by span id', async () => {
      const all = await query({});
      expect(all).toEqual(ids(() => true));
      expect(all).toHaveLength(48);
    });

    const filters: [string, Partial<SpanQuery>, (s: Span) => boolean][] = [
      [
        'time range',
        { from: T0 + 12 * 3_600_000, to: T0 + 36 * 3_600_000 },
        (s) => s.startTime >= T0 + 12 * 3_600_000 && s.startTime < T0 + 36 * 3_600_000,
      ],
      ['model', { model: 'gpt-4o-mini' }, (s) => s.model === 'gpt-4o-mini'],
      ['provider', { provider: 'anthropic' }, (s) => s.provider === 'anthropic'],
      ['operation', { operation: 'embedding' }, (s) => s.operation === 'embedding'],
      ['agent', { agentId: 'agent-1' }, (s) => s.agentId === 'agent-1'],
      ['session', { sessionId: 'session-2' }, (s) => s.sessionId === 'session-2'],
      ['trace', { traceId: 'trace-3' }, (s) => s.traceId === 'trace-3'],
      ['min security score', { minSecurityScore: 60 }, (s) => s.securityScore >= 60],
      [
        'finding type',
        { findingType: 'prompt_injection' },
        (s) => s.findings.some((f) => f.type === 'prompt_injection'),
      ],
      [
        'finding type shared by several',
        { findingType: 'pii.email' },
        (s) => s.findings.some((f) => f.type === 'pii.email'),
      ],
      ['status', { status: 'blocked' }, (s) => s.status === 'blocked'],
      ['has error', { hasError: true }, (s) => s.status === 'error' || s.error !== undefined],
      ['has no error', { hasError: false }, (s) => !(s.status === 'error' || s.error !== undefined)],
      [
        'text, case-insensitive, prompt or response',
        { text: 'NeEdLe' },
        (s) => /needle/i.test(s.response) || s.prompt.some((m) => /needle/i.test(m.content)),
      ],
      ['unicode text', { text: '東京 café' }, (s) => s.response.includes('東京 café')],
      [
        'combined filters',
        { model: 'gpt-4o', hasError: false, minSecurityScore: 10 },
        (s) =>
          s.model === 'gpt-4o' && !(s.status === 'error' || s.error !== undefined) && s.securityScore >= 10,
      ],
    ];
    for (const [label, q, pred] of filters) {
      it(`filters by ${label}`, async () => {
        const expected = ids(pred);
        expect(expected.length).toBeGreaterThan(0);
        expect(expected.length).toBeLessThan(48);
        expect(await query(q)).toEqual(expected);
      });
    }

    it('finds nothing for values no span has', async () => {
      expect(await query({ model: 'nope' })).toEqual([]);
      expect(await query({ findingType: 'pii' })).toEqual([]); // exact type, not a prefix
      expect(await query({ text: 'no such words anywhere' })).toEqual([]);
    });

    it('paginates with a cursor across ties without gaps or repeats', async () => {
      const expected = ids(() => true);
      for (const limit of [1, 5, 7]) {
        const pages: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await store.querySpans({ tenantId: 'tenant-a', limit, cursor });
          pages.push(page.spans.map((s) => s.spanId));
          expect(page.spans.length).toBeLessThanOrEqual(limit);
          cursor = page.nextCursor;
        } while (cursor);
        expect(pages.flat()).toEqual(expected);
        expect(pages.length).toBe(Math.ceil(48 / limit));
      }
      const filtered = await allIds(store, { tenantId: 'tenant-a', limit: 3, provider: 'openai' });
      expect(filtered).toEqual(ids((s) => s.provider === 'openai'));
    });

    it('caps the page size and rejects a malformed cursor', async () => {
      const page = await store.querySpans({ tenantId: 'tenant-a' });
      expect(page.spans).toHaveLength(48);
      const small = await store.querySpans({ tenantId: 'tenant-a', limit: 0 });
      expect(small.spans).toHaveLength(1);
      await expect(store.querySpans({ tenantId: 'tenant-a', cursor: 'not-a-cursor' })).rejects.toMatchObject({
        code: 'invalid_request',
      });
      await expect(store.querySpans({ tenantId: 'tenant-a', cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        LLMTraceError,
      );
    });

    it('returns a trace with its spans in time order, scoped to the tenant', async () => {
      const trace = await store.getTrace('tenant-a', 'trace-2');
      expect(trace?.traceId).toBe('trace-2');
      expect(trace?.tenantId).toBe('tenant-a');
      expect(trace?.spans.map((s) => s.spanId)).toEqual([
        'span-0012',
        'span-0013',
        'span-0014',
        'span-0015',
        'span-0016',
        'span-0017',
      ]);
      expect(trace?.spans[0]).toEqual(data[12]);
      expect(await store.getTrace('tenant-a', 'trace-missing')).toBeUndefined();
      expect(await store.getTrace('tenant-c', 'trace-2')).toBeUndefined();
    });

    it('keeps tenants apart in queries, traces and stats', async () => {
      const b = await allIds(store, { tenantId: 'tenant-b', limit: 1000 });
      expect(b).toHaveLength(48);
      const aSpans = (await store.querySpans({ tenantId: 'tenant-a', limit: 1000 })).spans;
      expect(aSpans.every((s) => s.tenantId === 'tenant-a')).toBe(true);
      expect(await query({ text: 'tenant b' })).toEqual([]);
      expect(await query({ model: 'b-gpt-4o' })).toEqual([]);
      const traceB = await store.getTrace('tenant-b', 'trace-2');
      expect(traceB?.spans.every((s) => s.tenantId === 'tenant-b' && s.model.startsWith('b-'))).toBe(true);
      const statsA = await store.stats({ tenantId: 'tenant-a' });
      expect(statsA.total.requests).toBe(48);
      expect((await store.stats({ tenantId: 'tenant-nobody' })).total.requests).toBe(0);
    });

    it('aggregates requests, tokens, cost, errors and findings, grouped by model, day and agent', async () => {
      const s = await store.stats({ tenantId: 'tenant-a' });
      const sum = (f: (x: Span) => number, xs: Span[] = data): number => xs.reduce((a, x) => a + f(x), 0);
      const isErr = (x: Span): boolean => x.status === 'error' || x.error !== undefined;
      expect(s.total.requests).toBe(48);
      expect(s.total.promptTokens).toBe(sum((x) => x.promptTokens));
      expect(s.total.completionTokens).toBe(sum((x) => x.completionTokens));
      expect(s.total.totalTokens).toBe(sum((x) => x.totalTokens));
      expect(s.total.costUsd).toBeCloseTo(
        sum((x) => x.costUsd ?? 0),
        9,
      );
      expect(s.total.errors).toBe(data.filter(isErr).length);
      expect(s.total.findings).toBe(sum((x) => x.findings.length));
      expect(s.findingsByType).toEqual({ 'pii.email': 16, prompt_injection: 8 });
      expect(s.groups).toEqual([]);

      const byModel = await store.stats({ tenantId: 'tenant-a', groupBy: 'model' });
      expect(byModel.groups.map((g) => [g.key, g.requests])).toEqual([
        ['claude-3-5-sonnet', 16],
        ['gpt-4o', 16],
        ['gpt-4o-mini', 16],
      ]);
      const mini = data.filter((x) => x.model === 'gpt-4o-mini');
      expect(byModel.groups[2]?.totalTokens).toBe(sum((x) => x.totalTokens, mini));
      expect(byModel.groups[2]?.errors).toBe(mini.filter(isErr).length);

      const byDay = await store.stats({ tenantId: 'tenant-a', groupBy: 'day' });
      expect(byDay.groups.map((g) => [g.key, g.requests])).toEqual([
        ['2026-03-01', 16],
        ['2026-03-02', 16],
        ['2026-03-03', 16],
      ]);
      const byAgent = await store.stats({ tenantId: 'tenant-a', groupBy: 'agent' });
      expect(byAgent.groups.map((g) => [g.key, g.requests])).toEqual([
        ['', data.filter((x) => x.agentId === undefined).length],
        ['agent-0', data.filter((x) => x.agentId === 'agent-0').length],
        ['agent-1', data.filter((x) => x.agentId === 'agent-1').length],
      ]);

      const ranged = await store.stats({
        tenantId: 'tenant-a',
        from: T0 + 24 * 3_600_000,
        to: T0 + 48 * 3_600_000,
      });
      expect(ranged.total.requests).toBe(16);
    });

    it('round-trips every span field, unicode and a very large prompt', async () => {
      const full = fullSpan();
      const big = `Ünïcödé 🚀 大きい ${'x'.repeat(2_000_000)}`;
      const large = makeSpan({
        spanId: 'span-large',
        traceId: 'trace-large',
        tenantId: 'tenant-rt',
        prompt: [{ role: 'user', content: big }],
        response: '答え — “quoted” \\ backslash \n newline \t tab',
      });
      const minimal = makeSpan({ spanId: 'span-min', traceId: 'trace-min', tenantId: 'tenant-rt' });
      await store.insertSpans([{ ...full, tenantId: 'tenant-rt' }, large, minimal]);
      expect((await store.getTrace('tenant-rt', 'trace-full'))?.spans).toEqual([
        { ...full, tenantId: 'tenant-rt' },
      ]);
      const got = (await store.getTrace('tenant-rt', 'trace-large'))?.spans[0];
      expect(got?.prompt[0]?.content.length).toBe(big.length);
      expect(got).toEqual(large);
      const min = (await store.getTrace('tenant-rt', 'trace-min'))?.spans[0];
      expect(min).toEqual(minimal);
      expect(Object.keys(min ?? {}).sort()).toEqual(Object.keys(minimal).sort());
      expect(await allIds(store, { tenantId: 'tenant-rt', text: '大きい' })).toEqual(['span-large']);
    });

    it('stores text with NUL characters (kept, or replaced by U+FFFD where the database forbids them)', async () => {
      const s = makeSpan({
        spanId: 'span-nul',
        traceId: 'trace-nul',
        tenantId: 'tenant-nul',
        response: 'a\u0000b',
        prompt: [{ role: 'user', content: 'c\u0000d' }],
      });
      await store.insertSpans([s]);
      const got = (await store.getTrace('tenant-nul', 'trace-nul'))?.spans[0];
      expect(['a\u0000b', 'a\uFFFDb']).toContain(got?.response);
      expect(['c\u0000d', 'c\uFFFDd']).toContain(got?.prompt[0]?.content);
    });

    it('ignores a re-inserted span id, in separate batches and within one, and says how many it stored', async () => {
      const s = makeSpan({ spanId: 'span-dup', traceId: 'trace-dup', tenantId: 'tenant-dup' });
      expect(await store.insertSpans([s])).toBe(1);
      expect(await store.insertSpans([s, { ...s }])).toBe(0);
      expect(await store.insertSpans([{ ...s, response: 'changed' }])).toBe(0);
      // One new span, sent twice in a batch with one already stored.
      const fresh = makeSpan({ spanId: 'span-dup-new', traceId: 'trace-dup', tenantId: 'tenant-dup-3' });
      expect(await store.insertSpans([fresh, { ...s }, { ...fresh }])).toBe(1);
      const page = await store.querySpans({ tenantId: 'tenant-dup' });
      expect(page.spans).toEqual([s]);
      expect((await store.stats({ tenantId: 'tenant-dup' })).total.requests).toBe(1);
      // The same span id under another tenant is another span.
      expect(await store.insertSpans([{ ...s, tenantId: 'tenant-dup-2' }])).toBe(1);
      expect((await store.querySpans({ tenantId: 'tenant-dup-2' })).spans).toHaveLength(1);
      expect((await store.querySpans({ tenantId: 'tenant-dup' })).spans).toHaveLength(1);
    });

    it('deletes spans before a date, for one tenant or all', async () => {
      const mk = (i: number, tenantId: string, startTime: number): Span =>
        makeSpan({ spanId: `ret-${i}`, traceId: `ret-${i}`, tenantId, startTime, endTime: startTime + 1 });
      const old = T0 - 40 * 86_400_000;
      await store.insertSpans([
        mk(1, 'tenant-r1', old),
        mk(2, 'tenant-r1', old + 1),
        mk(3, 'tenant-r1', T0),
        mk(4, 'tenant-r2', old),
      ]);
      expect(await store.deleteBefore(old + 2, 'tenant-r1')).toBe(2);
      expect(await allIds(store, { tenantId: 'tenant-r1' })).toEqual(['ret-3']);
      expect(await allIds(store, { tenantId: 'tenant-r2' })).toEqual(['ret-4']);
      expect(await store.deleteBefore(old + 2)).toBe(1);
      expect(await allIds(store, { tenantId: 'tenant-r2' })).toEqual([]);
      expect(await store.deleteBefore(old + 2)).toBe(0);
      expect((await store.stats({ tenantId: 'tenant-a' })).total.requests).toBe(48);
    });
  });
}
