import type { Pool } from 'pg';

/** One schema step. Versions only grow; a released migration is never edited. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration of the PostgreSQL adapter, oldest first. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'spans',
    sql: `
CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL,
  -- "C" collation: byte order, so keyset ties sort the same as in every other adapter.
  span_id TEXT COLLATE "C" NOT NULL,
  parent_span_id TEXT,
  tenant_id TEXT NOT NULL,
  agent_id TEXT,
  session_id TEXT,
  end_user TEXT,
  operation TEXT NOT NULL,
  provider TEXT NOT NULL,
  model_name TEXT NOT NULL,
  response_model TEXT,
  method TEXT,
  path TEXT,
  start_time BIGINT NOT NULL,
  end_time BIGINT NOT NULL,
  duration_ms INTEGER NOT NULL,
  ttft_ms INTEGER,
  stream BOOLEAN NOT NULL,
  status_code INTEGER NOT NULL,
  status TEXT NOT NULL,
  error TEXT,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL,
  cached_tokens INTEGER,
  reasoning_tokens INTEGER,
  usage_source TEXT NOT NULL,
  cost_usd DOUBLE PRECISION,
  security_score DOUBLE PRECISION NOT NULL,
  findings JSONB NOT NULL,
  prompt JSONB NOT NULL,
  response TEXT NOT NULL,
  tool_calls JSONB NOT NULL,
  finish_reason TEXT,
  params JSONB,
  tags JSONB NOT NULL,
  PRIMARY KEY (tenant_id, span_id)
);
-- Each index slows ingest. Provider, score and status filters match many spans, so the
-- newest-first tenant index finds a page of them quickly; rarer filters get their own index.
CREATE INDEX IF NOT EXISTS spans_tenant_time ON spans (tenant_id, start_time DESC, span_id DESC);
CREATE INDEX IF NOT EXISTS spans_tenant_trace ON spans (tenant_id, trace_id);
CREATE INDEX IF NOT EXISTS spans_tenant_model_time ON spans (tenant_id, model_name, start_time DESC, span_id DESC);
CREATE INDEX IF NOT EXISTS spans_tenant_agent_time ON spans (tenant_id, agent_id, start_time DESC, span_id DESC);
CREATE INDEX IF NOT EXISTS spans_tenant_session_time ON spans (tenant_id, session_id, start_time DESC);
CREATE INDEX IF NOT EXISTS spans_errors ON spans (tenant_id, start_time DESC) WHERE status = 'error' OR error IS NOT NULL;
CREATE INDEX IF NOT EXISTS spans_findings ON spans USING GIN (findings jsonb_path_ops);
CREATE INDEX IF NOT EXISTS spans_start_time ON spans (start_time);
`,
  },
  {
    version: 2,
    name: 'metadata',
    sql: `
CREATE TABLE IF NOT EXISTS tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  label TEXT,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX IF NOT EXISTS api_keys_hash ON api_keys (key_hash) WHERE revoked_at IS NULL;
CREATE TABLE IF NOT EXISTS tenant_policies (
  tenant_id TEXT PRIMARY KEY,
  policy JSONB NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_events (
  id BIGSERIAL PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail JSONB
);
CREATE INDEX IF NOT EXISTS audit_events_tenant_at ON audit_events (tenant_id, at DESC, id DESC);
`,
  },
  {
    version: 3,
    name: 'api key roles',
    sql: `
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS role TEXT;
CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys (tenant_id, created_at DESC);
`,
  },
];

/** Arbitrary constant for the advisory lock that serialises migrators across replicas. */
const MIGRATION_LOCK = 7_447_131;

/**
 * Apply pending migrations in one transaction under an advisory lock, so several replicas starting
 * at once migrate exactly once. Returns the versions applied.
 */
export async function runPostgresMigrations(pool: Pool, schema?: string): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (schema) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    }
    await client.query(
      'CREATE TABLE IF NOT EXISTS llmtrace_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM llmtrace_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const done: number[] = [];
    for (const m of POSTGRES_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO llmtrace_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      done.push(m.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Quote an SQL identifier (schema names come from config). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
