import type { ClickHouseClient } from '@clickhouse/client';

/** One schema step: ClickHouse runs one statement per command, so a step is a list. */
export interface ClickHouseMigration {
  version: number;
  name: string;
  /** Statements; `{db}` is replaced by the quoted database name. */
  statements: string[];
}

/** Every migration of the ClickHouse adapter, oldest first. */
export const CLICKHOUSE_MIGRATIONS: readonly ClickHouseMigration[] = [
  {
    version: 1,
    name: 'spans',
    statements: [
      // Partitioned by month so retention drops whole parts; ordered for "one tenant, newest first".
      // ReplacingMergeTree folds a span re-inserted by two writers at once; the adapter also skips
      // ids that already exist before inserting, so reads need no FINAL.
      `CREATE TABLE IF NOT EXISTS {db}.spans (
  tenant_id LowCardinality(String),
  trace_id String,
  span_id String,
  parent_span_id Nullable(String),
  agent_id LowCardinality(Nullable(String)),
  session_id Nullable(String),
  end_user Nullable(String),
  operation LowCardinality(String),
  provider LowCardinality(String),
  model_name LowCardinality(String),
  response_model LowCardinality(Nullable(String)),
  method LowCardinality(Nullable(String)),
  path Nullable(String),
  start_time Int64,
  end_time Int64,
  duration_ms UInt32,
  ttft_ms Nullable(UInt32),
  stream Bool,
  status_code UInt16,
  status LowCardinality(String),
  error Nullable(String) CODEC(ZSTD(3)),
  prompt_tokens UInt32,
  completion_tokens UInt32,
  total_tokens UInt32,
  cached_tokens Nullable(UInt32),
  reasoning_tokens Nullable(UInt32),
  usage_source LowCardinality(String),
  cost_usd Nullable(Float64),
  security_score Float32,
  finding_types Array(LowCardinality(String)),
  findings String CODEC(ZSTD(3)),
  prompt String CODEC(ZSTD(3)),
  response String CODEC(ZSTD(3)),
  tool_calls String CODEC(ZSTD(3)),
  finish_reason LowCardinality(Nullable(String)),
  params Nullable(String) CODEC(ZSTD(3)),
  tags String CODEC(ZSTD(3)),
  INDEX span_id_bf span_id TYPE bloom_filter GRANULARITY 4,
  INDEX trace_id_bf trace_id TYPE bloom_filter GRANULARITY 4,
  INDEX finding_types_bf finding_types TYPE bloom_filter GRANULARITY 4
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(start_time, 'UTC'))
ORDER BY (tenant_id, start_time, span_id)`,
    ],
  },
];

/** Apply pending migrations, recording them in `llmtrace_migrations`. Returns the versions applied. */
export async function runClickHouseMigrations(client: ClickHouseClient, database: string): Promise<number[]> {
  const db = `\`${database.replaceAll('`', '\\`')}\``;
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.llmtrace_migrations (version UInt32, name String, applied_at Int64) ENGINE = MergeTree ORDER BY version`,
  });
  const rs = await client.query({
    query: `SELECT version FROM ${db}.llmtrace_migrations`,
    format: 'JSONEachRow',
  });
  const applied = new Set((await rs.json<{ version: number | string }>()).map((r) => Number(r.version)));
  const done: number[] = [];
  for (const m of CLICKHOUSE_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    for (const st of m.statements) await client.command({ query: st.replaceAll('{db}', db) });
    await client.insert({
      table: `${db}.llmtrace_migrations`,
      values: [{ version: m.version, name: m.name, applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    done.push(m.version);
  }
  return done;
}
