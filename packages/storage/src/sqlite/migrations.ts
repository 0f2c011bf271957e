import type { Database } from 'better-sqlite3';

/** One schema step. Versions only grow; a released migration is never edited. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration of the SQLite adapter, oldest first. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'spans',
    sql: `
CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
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
  start_time INTEGER NOT NULL,
  end_time INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  ttft_ms INTEGER,
  stream INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  status TEXT NOT NULL,
  error TEXT,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL,
  cached_tokens INTEGER,
  reasoning_tokens INTEGER,
  usage_source TEXT NOT NULL,
  cost_usd REAL,
  security_score REAL NOT NULL,
  findings TEXT NOT NULL,
  prompt TEXT NOT NULL,
  response TEXT NOT NULL,
  tool_calls TEXT NOT NULL,
  finish_reason TEXT,
  params TEXT,
  tags TEXT NOT NULL,
  PRIMARY KEY (tenant_id, span_id)
);
-- Every index costs ingest speed: session, score and finding filters scan the newest-first
-- tenant index instead, which finds a page quickly unless the filter is very rare.
CREATE INDEX IF NOT EXISTS spans_tenant_time ON spans (tenant_id, start_time DESC, span_id DESC);
CREATE INDEX IF NOT EXISTS spans_tenant_trace ON spans (tenant_id, trace_id);
CREATE INDEX IF NOT EXISTS spans_tenant_model_time ON spans (tenant_id, model_name, start_time DESC, span_id DESC);
CREATE INDEX IF NOT EXISTS spans_tenant_agent_time ON spans (tenant_id, agent_id, start_time DESC, span_id DESC);
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
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  label TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS api_keys_hash ON api_keys (key_hash);
CREATE TABLE IF NOT EXISTS tenant_policies (
  tenant_id TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_events_tenant_at ON audit_events (tenant_id, at DESC, id DESC);
`,
  },
  {
    version: 3,
    name: 'api key roles',
    sql: `
ALTER TABLE api_keys ADD COLUMN role TEXT;
CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys (tenant_id, created_at DESC);
`,
  },
];

/**
 * Apply pending migrations, each in its own transaction, recording them in
 * `llmtrace_migrations`. Safe to call on every start and from several processes (SQLite's write
 * lock serialises them; statements are idempotent).
 */
export function runSqliteMigrations(db: Database): number[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS llmtrace_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM llmtrace_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const done: number[] = [];
  for (const m of SQLITE_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare(
        'INSERT OR IGNORE INTO llmtrace_migrations (version, name, applied_at) VALUES (?, ?, ?)',
      ).run(m.version, m.name, Date.now());
    }).immediate();
    done.push(m.version);
  }
  return done;
}
