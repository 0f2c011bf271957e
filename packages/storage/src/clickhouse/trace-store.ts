import { Readable } from 'node:stream';
import {
  type ClickHouseClient,
  type Logger as ClickHouseLogger,
  createClient,
  type ErrorLogParams,
  type WarnLogParams,
} from '@clickhouse/client';
import type {
  HealthStatus,
  Logger,
  Span,
  SpanPage,
  SpanQuery,
  Stats,
  StatsBucket,
  Trace,
  TraceStore,
} from '@llmtrace/core';
import { LLMTraceError, silentLogger } from '@llmtrace/core';
import { decodeCursor, encodeCursor, pageLimit } from '../shared/cursor.js';
import { guard } from '../shared/errors.js';
import { emptyBucket, sortBuckets } from '../shared/semantics.js';
import { rowToSpan } from '../shared/span-row.js';
import { runClickHouseMigrations } from './migrations.js';
import { ROW_COLUMNS, ROW_INSERT_SETTINGS, spanToJsonRow } from './rows.js';

/** Options for {@link createClickHouseStore}. */
export interface ClickHouseStoreOptions {
  /** `http://user:pass@host:8123/database`. Ignored when `client` is given. */
  url?: string;
  /** An existing client (e.g. one over an embedded chdb connection); its owner closes it. */
  client?: ClickHouseClient;
  /** Database holding the tables (created by migrate). Default: the URL's path, else `llmtrace`. */
  database?: string;
  logger?: Logger;
  /**
   * Send insert bodies through this function instead of the client's `exec`. For the engine
   * embedded by chdb pass `(insert) => connection.chdb.rawInsert(insert)`: the rows are handed over
   * as bytes and parsed on the engine's own threads, where `exec` copies them into the query text.
   * Needs a database name of letters, digits and `_`.
   */
  rawInsert?: (insert: RawInsert) => Promise<unknown>;
}

/** One insert body for {@link ClickHouseStoreOptions.rawInsert}, in the shape chdb's `rawInsert` takes. */
export interface RawInsert {
  /** `database.spans`, unquoted. */
  table: string;
  columns: readonly string[];
  format: 'JSONCompactEachRow';
  /** `JSONCompactEachRow` lines in `columns` order. */
  values: Buffer;
  settings: Record<string, number>;
}

/** Rows per raw insert: a larger batch is sent as several, encoding one while the engine parses another. */
const RAW_INSERT_ROWS = 5000;
/** First guess of a row's size in bytes; the buffer grows when rows are larger. */
const ROW_BYTES_GUESS = 2048;
const ERROR_PREDICATE = "(status = 'error' OR error IS NOT NULL)";

/** Builds a WHERE clause with typed `{pN:Type}` placeholders the server binds. */
class Where {
  readonly parts: string[] = [];
  readonly params: Record<string, unknown> = {};
  add(fragment: (p: (type: string, value: unknown) => string) => string): this {
    this.parts.push(
      fragment((type, value) => {
        const name = `p${Object.keys(this.params).length}`;
        this.params[name] = value;
        return `{${name}:${type}}`;
      }),
    );
    return this;
  }
  sql(): string {
    return this.parts.join(' AND ');
  }
}

function filters(q: Omit<SpanQuery, 'cursor' | 'limit'>): Where {
  const w = new Where().add((p) => `tenant_id = ${p('String', q.tenantId)}`);
  if (q.from !== undefined) w.add((p) => `start_time >= ${p('Int64', q.from)}`);
  if (q.to !== undefined) w.add((p) => `start_time < ${p('Int64', q.to)}`);
  if (q.model !== undefined) w.add((p) => `model_name = ${p('String', q.model)}`);
  if (q.provider !== undefined) w.add((p) => `provider = ${p('String', q.provider)}`);
  if (q.operation !== undefined) w.add((p) => `operation = ${p('String', q.operation)}`);
  if (q.agentId !== undefined) w.add((p) => `agent_id = ${p('String', q.agentId)}`);
  if (q.sessionId !== undefined) w.add((p) => `session_id = ${p('String', q.sessionId)}`);
  if (q.traceId !== undefined) w.add((p) => `trace_id = ${p('String', q.traceId)}`);
  if (q.minSecurityScore !== undefined) w.add((p) => `security_score >= ${p('Float64', q.minSecurityScore)}`);
  if (q.status !== undefined) w.add((p) => `status = ${p('String', q.status)}`);
  if (q.hasError === true) w.add(() => ERROR_PREDICATE);
  if (q.hasError === false) w.add(() => `NOT ${ERROR_PREDICATE}`);
  if (q.findingType !== undefined) w.add((p) => `has(finding_types, ${p('String', q.findingType)})`);
  if (q.text !== undefined && q.text !== '') {
    w.add((p) => {
      const t = p('String', q.text);
      return `(positionCaseInsensitiveUTF8(response, ${t}) > 0 OR arrayExists(m -> positionCaseInsensitiveUTF8(JSONExtractString(m, 'content'), ${t}) > 0, JSONExtractArrayRaw(prompt)))`;
    });
  }
  return w;
}

/** Route the client's own logging (console by default) to ours: libraries stay silent by default. */
function loggerClass(logger: Logger): new () => ClickHouseLogger {
  return class implements ClickHouseLogger {
    trace(): void {}
    debug(): void {}
    info(): void {}
    warn(p: WarnLogParams): void {
      logger.warn(`clickhouse: ${p.message}`, { error: p.err?.message });
    }
    error(p: ErrorLogParams): void {
      logger.error(`clickhouse: ${p.message}`, { error: p.err.message });
    }
  };
}

/**
 * Encode the spans not in `skip` (keys `tenant\0span`), each id once, as `JSONCompactEachRow`
 * bytes. Each row string is written into one growing buffer as soon as it is made, so it dies
 * young; joining rows into strings first left megabytes of text for the old-generation collector.
 * Returns an empty buffer when every span is skipped.
 */
function encodeRows(batch: readonly Span[], skip: Set<string>): Buffer {
  let buf = Buffer.allocUnsafe(Math.max(4096, batch.length * ROW_BYTES_GUESS));
  let length = 0;
  for (const s of batch) {
    const key = `${s.tenantId}\u0000${s.spanId}`;
    if (skip.has(key)) continue;
    skip.add(key); // duplicates inside the batch too
    const line = spanToJsonRow(s);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit
    if (length + line.length * 3 > buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(buf.length * 2, length + line.length * 3));
      buf.copy(grown, 0, 0, length);
      buf = grown;
    }
    length += buf.write(line, length);
  }
  return buf.subarray(0, length);
}

/** `items` in the fewest pieces of at most `max`, of nearly equal size. */
function split<T>(items: readonly T[], max: number): (readonly T[])[] {
  const n = Math.ceil(items.length / max);
  if (n <= 1) return [items];
  const size = Math.ceil(items.length / n);
  const out: (readonly T[])[] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function databaseFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const path = new URL(url).pathname.replace(/^\/+|\/+$/g, '');
  return path === '' ? undefined : decodeURIComponent(path);
}

/**
 * A TraceStore on ClickHouse (@clickhouse/client): MergeTree partitioned by month, ordered by
 * (tenant_id, start_time, span_id), LowCardinality for enum-like columns, ZSTD-compressed prompt
 * and response. Keyset pagination and aggregates run in ClickHouse. Re-inserted span ids are
 * skipped by a look-up bounded to the batch's time range (the primary key prunes it).
 *
 * @example
 * const store = createClickHouseStore({ url: 'http://localhost:8123/llmtrace' });
 * await store.migrate();
 */
export function createClickHouseStore(options: ClickHouseStoreOptions): TraceStore {
  const logger = options.logger ?? silentLogger;
  const owned = options.client === undefined;
  const database = options.database ?? databaseFromUrl(options.url) ?? 'llmtrace';
  const client =
    options.client ??
    createClient({
      // The database lives in the URL path for users; the client gets it as an option.
      url: options.url ? options.url.replace(/(\/\/[^/]+)\/.*$/, '$1') : undefined,
      database: 'default',
      compression: { request: true, response: true },
      log: { LoggerClass: loggerClass(logger) },
    });
  const table = `\`${database.replaceAll('`', '\\`')}\`.spans`;
  const rawInsert = options.rawInsert;
  if (rawInsert && !/^[A-Za-z0-9_]+$/.test(database)) {
    throw new LLMTraceError(
      'invalid_config',
      `clickhouse: database ${JSON.stringify(database)} must be letters, digits and _ for rawInsert`,
    );
  }
  let closed = false;

  const select = async (
    query: string,
    params: Record<string, unknown>,
  ): Promise<Record<string, unknown>[]> => {
    const rs = await client.query({
      query,
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    return rs.json<Record<string, unknown>>();
  };

  const existing = async (batch: readonly Span[]): Promise<Set<string>> => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const s of batch) {
      min = Math.min(min, s.startTime);
      max = Math.max(max, s.startTime);
    }
    const rows = await select(
      `SELECT tenant_id, span_id FROM ${table}
       WHERE start_time BETWEEN {min:Int64} AND {max:Int64}
         AND tenant_id IN {tenants:Array(String)} AND span_id IN {ids:Array(String)}`,
      {
        min,
        max,
        tenants: [...new Set(batch.map((s) => s.tenantId))],
        ids: [...new Set(batch.map((s) => s.spanId))],
      },
    );
    return new Set(rows.map((r) => `${r.tenant_id}\u0000${r.span_id}`));
  };

  const send = async (rows: Buffer): Promise<void> => {
    if (rawInsert) {
      await rawInsert({
        table: `${database}.spans`,
        columns: ROW_COLUMNS,
        format: 'JSONCompactEachRow',
        values: rows,
        settings: ROW_INSERT_SETTINGS,
      });
      return;
    }
    // Through `exec` rather than `insert`: the client would JSON-encode row objects itself,
    // while this body is already `JSONCompactEachRow`, passed through untouched.
    const res = await client.exec({
      query: `INSERT INTO ${table} (${ROW_COLUMNS.join(', ')}) FORMAT JSONCompactEachRow`,
      values: Readable.from([rows], { objectMode: false }),
      clickhouse_settings: ROW_INSERT_SETTINGS,
    });
    for await (const _ of res.stream) {
      // an insert answers with an empty body; read it so the connection is released
    }
  };

  return {
    name: 'clickhouse',
    migrate: () =>
      guard('clickhouse', 'migrate', async () => {
        const done = await runClickHouseMigrations(client, database);
        if (done.length > 0) logger.info('clickhouse: migrations applied', { versions: done });
      }),
    insertSpans: (batch) =>
      guard('clickhouse', 'insert', async () => {
        if (batch.length === 0) return 0;
        // The look-up of ids already stored runs in the engine while the first rows are encoded
        // here; it almost always finds nothing, and only then are those rows encoded again.
        const lookup = existing(batch);
        lookup.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
        await new Promise<void>((resolve) => setImmediate(resolve));
        // A raw insert waits for the whole body, so a large batch goes as a few inserts, each
        // encoded while the engine parses the one before. (Through `exec`, a server parses on its own cores.)
        const parts = rawInsert ? split(batch, RAW_INSERT_ROWS) : [batch];
        let skip = new Set<string>();
        let rows = encodeRows(parts[0] ?? [], skip);
        const stored = await lookup;
        // `skip` ends up holding these and every key encoded: the difference is what was stored.
        const already = stored.size;
        if (stored.size > 0) {
          skip = stored;
          rows = encodeRows(parts[0] ?? [], skip);
        }
        let sending: Promise<void> = Promise.resolve();
        for (let i = 0; i < parts.length; i++) {
          const body = i === 0 ? rows : encodeRows(parts[i] ?? [], skip);
          await sending;
          sending = body.length > 0 ? send(body) : Promise.resolve();
          sending.catch(() => {}); // awaited in the next round or below
        }
        await sending;
        return skip.size - already;
      }),
    getTrace: (tenantId, traceId) =>
      guard('clickhouse', 'getTrace', async (): Promise<Trace | undefined> => {
        const rows = await select(
          `SELECT * EXCEPT finding_types FROM ${table} WHERE tenant_id = {t:String} AND trace_id = {id:String} ORDER BY start_time ASC, span_id ASC`,
          { t: tenantId, id: traceId },
        );
        if (rows.length === 0) return undefined;
        return { traceId, tenantId, spans: rows.map(rowToSpan) };
      }),
    querySpans: (q) =>
      guard('clickhouse', 'query', async (): Promise<SpanPage> => {
        const limit = pageLimit(q.limit);
        const w = filters(q);
        if (q.cursor !== undefined) {
          const k = decodeCursor(q.cursor);
          w.add((p) => {
            const t = p('Int64', k.startTime);
            return `(start_time < ${t} OR (start_time = ${t} AND span_id < ${p('String', k.spanId)}))`;
          });
        }
        const rows = await select(
          `SELECT * EXCEPT finding_types FROM ${table} WHERE ${w.sql()} ORDER BY start_time DESC, span_id DESC LIMIT ${limit + 1}`,
          w.params,
        );
        const page = rows.slice(0, limit).map(rowToSpan);
        const last = page[page.length - 1];
        return rows.length > limit && last
          ? { spans: page, nextCursor: encodeCursor({ startTime: last.startTime, spanId: last.spanId }) }
          : { spans: page };
      }),
    stats: (q) =>
      guard('clickhouse', 'stats', async (): Promise<Stats> => {
        const w = filters({ tenantId: q.tenantId, from: q.from, to: q.to });
        const key =
          q.groupBy === 'model'
            ? 'toString(model_name)'
            : q.groupBy === 'day'
              ? "toString(toDate(fromUnixTimestamp64Milli(start_time, 'UTC'), 'UTC'))"
              : q.groupBy === 'agent'
                ? "ifNull(toString(agent_id), '')"
                : "'total'";
        const rows = await select(
          `SELECT ${key} AS key, toFloat64(count()) AS requests,
             toFloat64(sum(prompt_tokens)) AS promptTokens, toFloat64(sum(completion_tokens)) AS completionTokens,
             toFloat64(sum(total_tokens)) AS totalTokens, toFloat64(ifNull(sum(cost_usd), 0)) AS costUsd,
             toFloat64(countIf(${ERROR_PREDICATE})) AS errors, toFloat64(sum(length(finding_types_all))) AS findings
           FROM (SELECT *, JSONExtractArrayRaw(findings) AS finding_types_all FROM ${table} WHERE ${w.sql()})
           ${q.groupBy ? 'GROUP BY key' : ''}`,
          w.params,
        );
        const groups = rows as unknown as StatsBucket[];
        const total = emptyBucket('total');
        for (const g of groups) {
          if (q.groupBy === undefined && g.requests === 0) continue;
          total.requests += g.requests;
          total.promptTokens += g.promptTokens;
          total.completionTokens += g.completionTokens;
          total.totalTokens += g.totalTokens;
          total.costUsd += g.costUsd;
          total.errors += g.errors;
          total.findings += g.findings;
        }
        const types = await select(
          `SELECT JSONExtractString(f, 'type') AS type, toFloat64(count()) AS n
           FROM ${table} ARRAY JOIN JSONExtractArrayRaw(findings) AS f WHERE ${w.sql()} GROUP BY type`,
          w.params,
        );
        const findingsByType: Record<string, number> = {};
        for (const t of types) findingsByType[String(t.type)] = Number(t.n);
        return { total, groups: q.groupBy ? sortBuckets(groups) : [], findingsByType };
      }),
    deleteBefore: (before, tenantId) =>
      guard('clickhouse', 'deleteBefore', async () => {
        const w = new Where().add((p) => `start_time < ${p('Int64', before)}`);
        if (tenantId !== undefined) w.add((p) => `tenant_id = ${p('String', tenantId)}`);
        const [row] = await select(`SELECT toFloat64(count()) AS n FROM ${table} WHERE ${w.sql()}`, w.params);
        const n = Number(row?.n ?? 0);
        if (n > 0) {
          // Lightweight delete, waited for, so the next query no longer sees the rows.
          await client.command({
            query: `DELETE FROM ${table} WHERE ${w.sql()}`,
            query_params: w.params,
            clickhouse_settings: { lightweight_deletes_sync: '2' },
          });
        }
        return n;
      }),
    health: async (): Promise<HealthStatus> => {
      if (closed) return { ok: false, detail: 'clickhouse: closed' };
      try {
        const r = await client.ping();
        return r.success
          ? { ok: true }
          : { ok: false, detail: `clickhouse: ${String(r.error?.message ?? 'ping failed')}` };
      } catch (err) {
        return { ok: false, detail: `clickhouse: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    close: async (): Promise<void> => {
      if (closed) return;
      closed = true;
      if (owned) await client.close();
    },
  };
}
