import type {
  HealthStatus,
  Logger,
  Span,
  SpanPage,
  SpanQuery,
  Stats,
  StatsQuery,
  Trace,
  TraceStore,
} from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import { and, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { decodeCursor, encodeCursor, pageLimit } from '../shared/cursor.js';
import { guard } from '../shared/errors.js';
import { emptyBucket, sortBuckets } from '../shared/semantics.js';
import { rowToSpan, spanToRecord } from '../shared/span-row.js';
import { runPostgresMigrations } from './migrations.js';
import { connect, type PostgresConnectionOptions } from './pool.js';
import { spans } from './schema.js';

/** Options for {@link createPostgresStore}. */
export interface PostgresStoreOptions extends PostgresConnectionOptions {
  logger?: Logger;
}

/** A PostgreSQL TraceStore with its pool (shared with the metadata store). */
export interface PostgresTraceStore extends TraceStore {
  readonly pool: pg.Pool;
}

const ERROR_PREDICATE = sql`(${spans.status} = 'error' OR ${spans.error} IS NOT NULL)`;
/** Spans per INSERT statement, to bound the size of one JSON parameter. */
const ROWS_PER_STATEMENT = 1000;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is exactly what must be found.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL text and JSON cannot hold U+0000 or unpaired surrogates; they are stored as U+FFFD
 * instead (one bad character must not make a whole batch fail forever).
 */
function withoutNul<T>(v: T): T {
  if (typeof v === 'string') return v.replace(UNSTORABLE, '\uFFFD') as T;
  if (Array.isArray(v)) return v.map(withoutNul) as T;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutNul(x)])) as T;
  }
  return v;
}

function filters(q: Omit<SpanQuery, 'cursor' | 'limit'>): SQL[] {
  const c: SQL[] = [eq(spans.tenantId, q.tenantId)];
  if (q.from !== undefined) c.push(gte(spans.startTime, q.from));
  if (q.to !== undefined) c.push(lt(spans.startTime, q.to));
  if (q.model !== undefined) c.push(eq(spans.modelName, q.model));
  if (q.provider !== undefined) c.push(eq(spans.provider, q.provider));
  if (q.operation !== undefined) c.push(eq(spans.operation, q.operation));
  if (q.agentId !== undefined) c.push(eq(spans.agentId, q.agentId));
  if (q.sessionId !== undefined) c.push(eq(spans.sessionId, q.sessionId));
  if (q.traceId !== undefined) c.push(eq(spans.traceId, q.traceId));
  if (q.minSecurityScore !== undefined) c.push(gte(spans.securityScore, q.minSecurityScore));
  if (q.status !== undefined) c.push(eq(spans.status, q.status));
  if (q.hasError === true) c.push(ERROR_PREDICATE);
  if (q.hasError === false) c.push(sql`NOT ${ERROR_PREDICATE}`);
  if (q.findingType !== undefined) {
    // Containment uses the GIN index on findings.
    c.push(sql`${spans.findings} @> ${JSON.stringify([{ type: q.findingType }])}::jsonb`);
  }
  if (q.text !== undefined && q.text !== '') {
    const pattern = `%${escapeLike(q.text)}%`;
    c.push(sql`(${spans.response} ILIKE ${pattern} OR EXISTS (
      SELECT 1 FROM jsonb_array_elements(${spans.prompt}) m WHERE m->>'content' ILIKE ${pattern}))`);
  }
  return c;
}

/**
 * A TraceStore on PostgreSQL (pg + drizzle-orm): JSONB findings and tags with GIN indexes, B-tree
 * indexes for every filter, keyset pagination in SQL. Inserts are multi-row `INSERT … ON
 * CONFLICT DO NOTHING` statements built by hand (one round trip per 1000 spans), which is much
 * faster than the query builder for large batches; reads go through drizzle.
 *
 * @example
 * const store = createPostgresStore({ url: 'postgres://localhost/llmtrace' });
 * await store.migrate();
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresTraceStore {
  const logger = options.logger ?? silentLogger;
  const { pool, owned } = connect(options, logger);
  const db = drizzle({ client: pool });
  let closed = false;

  /** Insert one chunk; resolves with the rows stored (those not already there). */
  const insertChunk = async (batch: readonly Span[]): Promise<number> => {
    let json = JSON.stringify(batch.map(spanToRecord));
    // Rare: U+0000 or an unpaired surrogate somewhere (JSON.stringify escapes both). Redo the
    // batch with those characters replaced; a literal "\\u…" in text only costs the slow path.
    if (/\\u(0000|d[89a-f])/i.test(json))
      json = JSON.stringify(batch.map((s) => spanToRecord(withoutNul(s))));
    // One parameter holding the whole batch as JSON: about 3x faster than a multi-row VALUES
    // list with 36 parameters per span (binding dominates there).
    const result = await pool.query(
      'INSERT INTO spans SELECT * FROM json_populate_recordset(NULL::spans, $1::json) ON CONFLICT (tenant_id, span_id) DO NOTHING',
      [json],
    );
    return result.rowCount ?? 0;
  };

  return {
    name: 'postgres',
    pool,
    migrate: () =>
      guard('postgres', 'migrate', async () => {
        const done = await runPostgresMigrations(pool, options.pool ? undefined : options.schema);
        if (done.length > 0) logger.info('postgres: migrations applied', { versions: done });
      }),
    insertSpans: (batch) =>
      guard('postgres', 'insert', async () => {
        let stored = 0;
        for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT)
          stored += await insertChunk(batch.slice(i, i + ROWS_PER_STATEMENT));
        return stored;
      }),
    getTrace: (tenantId, traceId) =>
      guard('postgres', 'getTrace', async (): Promise<Trace | undefined> => {
        const { rows } = await pool.query(
          'SELECT * FROM spans WHERE tenant_id = $1 AND trace_id = $2 ORDER BY start_time ASC, span_id ASC',
          [tenantId, traceId],
        );
        if (rows.length === 0) return undefined;
        return { traceId, tenantId, spans: rows.map(rowToSpan) };
      }),
    querySpans: (q) =>
      guard('postgres', 'query', async (): Promise<SpanPage> => {
        const limit = pageLimit(q.limit);
        const where = filters(q);
        if (q.cursor !== undefined) {
          const k = decodeCursor(q.cursor);
          where.push(sql`(${spans.startTime}, ${spans.spanId}) < (${k.startTime}, ${k.spanId})`);
        }
        // Raw rows (snake_case) feed the mapper shared with the other SQL adapters.
        const { rows } = await db.execute<Record<string, unknown>>(
          sql`SELECT * FROM spans WHERE ${and(...where)} ORDER BY start_time DESC, span_id DESC LIMIT ${limit + 1}`,
        );
        const page = rows.slice(0, limit).map(rowToSpan);
        const last = page[page.length - 1];
        return rows.length > limit && last
          ? { spans: page, nextCursor: encodeCursor({ startTime: last.startTime, spanId: last.spanId }) }
          : { spans: page };
      }),
    stats: (q) => guard('postgres', 'stats', () => postgresStats(db, q)),
    deleteBefore: (before, tenantId) =>
      guard('postgres', 'deleteBefore', async () => {
        const cond =
          tenantId === undefined
            ? lt(spans.startTime, before)
            : and(lt(spans.startTime, before), eq(spans.tenantId, tenantId));
        const res = await db.delete(spans).where(cond);
        return res.rowCount ?? 0;
      }),
    health: async (): Promise<HealthStatus> => {
      if (closed) return { ok: false, detail: 'postgres: closed' };
      try {
        await pool.query('SELECT 1');
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: `postgres: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    close: async (): Promise<void> => {
      if (closed) return;
      closed = true;
      if (owned) await pool.end();
    },
  };
}

type PgDb = ReturnType<typeof drizzle>;

async function postgresStats(db: PgDb, q: StatsQuery): Promise<Stats> {
  const where = and(...filters({ tenantId: q.tenantId, from: q.from, to: q.to }));
  const keyExpr =
    q.groupBy === 'model'
      ? sql`${spans.modelName}`
      : q.groupBy === 'day'
        ? sql`to_char(to_timestamp(${spans.startTime} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
        : q.groupBy === 'agent'
          ? sql`coalesce(${spans.agentId}, '')`
          : sql`'total'`;
  // float8 casts: pg returns bigint/numeric aggregates as strings.
  const cols = {
    key: sql<string>`${keyExpr}`,
    requests: sql<number>`count(*)::float8`,
    promptTokens: sql<number>`coalesce(sum(${spans.promptTokens}), 0)::float8`,
    completionTokens: sql<number>`coalesce(sum(${spans.completionTokens}), 0)::float8`,
    totalTokens: sql<number>`coalesce(sum(${spans.totalTokens}), 0)::float8`,
    costUsd: sql<number>`coalesce(sum(${spans.costUsd}), 0)::float8`,
    errors: sql<number>`count(*) FILTER (WHERE ${ERROR_PREDICATE})::float8`,
    findings: sql<number>`coalesce(sum(jsonb_array_length(${spans.findings})), 0)::float8`,
  };
  const base = db.select(cols).from(spans).where(where);
  const grouped = q.groupBy ? await base.groupBy(keyExpr) : await base;
  const total = emptyBucket('total');
  for (const g of grouped) {
    total.requests += g.requests;
    total.promptTokens += g.promptTokens;
    total.completionTokens += g.completionTokens;
    total.totalTokens += g.totalTokens;
    total.costUsd += g.costUsd;
    total.errors += g.errors;
    total.findings += g.findings;
  }
  const types = await db.execute<{ type: string; n: number }>(
    sql`SELECT f->>'type' AS type, count(*)::float8 AS n FROM spans, jsonb_array_elements(spans.findings) f WHERE ${where} GROUP BY 1`,
  );
  const findingsByType: Record<string, number> = {};
  for (const t of types.rows) findingsByType[t.type] = t.n;
  return { total, groups: q.groupBy ? sortBuckets([...grouped]) : [], findingsByType };
}
