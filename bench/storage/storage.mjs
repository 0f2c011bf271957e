// Storage benchmark: batched ingest throughput per adapter (spans/s) and the latency of the
// newest-50-spans page, with and without filters, once the table holds --spans spans.
//
//   pnpm --filter @llmtrace/storage build
//   node bench/storage/storage.mjs --adapter sqlite --spans 1000000
//   node bench/storage/storage.mjs --adapter clickhouse --spans 1000000
//   node bench/storage/storage.mjs --adapter postgres --spans 200000
//
// Flags: --adapter memory|sqlite|postgres|clickhouse (default sqlite), --spans N (default 100000),
// --batch N (default 1000), --tenants N (default 4), --queries N (default 50), --keep (keep the data),
// --ch-insert raw|exec (default raw).
// PostgreSQL: LLMTRACE_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), a
// fresh schema dropped at the end. ClickHouse: the engine embedded by chdb, in a temporary folder;
// rows go through chdb's raw insert (bytes parsed by the engine), or with --ch-insert exec through
// the client's `exec`, the path a ClickHouse server takes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    adapter: { type: 'string', default: 'sqlite' },
    spans: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    tenants: { type: 'string', default: '4' },
    queries: { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
    'ch-insert': { type: 'string', default: 'raw' },
  },
});
const TOTAL = Number(args.spans);
const BATCH = Number(args.batch);
const TENANTS = Number(args.tenants);
const QUERIES = Number(args.queries);
const T0 = Date.UTC(2026, 0, 1);
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'llama-3.1-70b', 'o3-mini'];
const OPS = ['chat', 'chat', 'chat', 'embedding', 'responses'];
const WORDS =
  'the quick brown fox jumps over a lazy dog while models answer questions about invoices and weather'.split(
    ' ',
  );

// Joined, not concatenated: the proxy's texts come from JSON.parse and are flat strings, where `+=`
// leaves a rope that every consumer has to flatten first.
function text(i, n) {
  const words = [];
  for (let k = 0; k < n; k++) words.push(WORDS[(i * 7 + k * 13) % WORDS.length]);
  return `${words.join(' ')} `;
}

function makeSpan(i) {
  const start = T0 + i * 50; // 20 spans per second of history: 1M spans ≈ 14 hours
  const hasFinding = i % 25 === 0;
  return {
    // Ids in insert order, as the time-prefixed ones from newTraceId/newSpanId nearly are; wholly
    // random ids cost SQLite more per insert as the table grows (insert-ids.mjs).
    traceId: `${(i >> 2).toString(16).padStart(32, '0')}`,
    spanId: `${i.toString(16).padStart(16, '0')}`,
    tenantId: `tenant-${i % TENANTS}`,
    agentId: i % 3 === 0 ? `agent-${i % 7}` : undefined,
    sessionId: `session-${i % 1000}`,
    operation: OPS[i % OPS.length],
    provider: i % 5 === 2 ? 'anthropic' : 'openai',
    model: MODELS[(i >> 2) % MODELS.length],
    method: 'POST',
    path: '/v1/chat/completions',
    startTime: start,
    endTime: start + 300 + (i % 700),
    durationMs: 300 + (i % 700),
    ttftMs: 120 + (i % 90),
    stream: i % 2 === 0,
    statusCode: i % 97 === 0 ? 500 : 200,
    status: i % 97 === 0 ? 'error' : 'ok',
    error: i % 97 === 0 ? 'upstream returned 500' : undefined,
    promptTokens: 200 + (i % 300),
    completionTokens: 50 + (i % 200),
    totalTokens: 250 + (i % 300) + (i % 200),
    usageSource: 'upstream',
    costUsd: (i % 1000) / 100_000,
    securityScore: hasFinding ? 70 + (i % 30) : i % 10,
    findings: hasFinding
      ? [
          {
            type: 'pii.email',
            severity: 'medium',
            confidence: 0.9,
            detector: 'pii',
            message: 'email address',
            excerpt: 'j***@example.com',
          },
        ]
      : [],
    prompt: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: text(i, 40) },
    ],
    response: text(i + 1, 60),
    toolCalls: [],
    finishReason: 'stop',
    params: { temperature: 0.2 },
    tags: { env: 'bench' },
  };
}

const storageRequire = createRequire(import.meta.resolve('@llmtrace/storage'));

async function openAdapter(name) {
  switch (name) {
    case 'memory': {
      const { createMemoryStore } = await import('@llmtrace/storage/memory');
      return { store: createMemoryStore(), cleanup: async () => {} };
    }
    case 'sqlite': {
      const { createSqliteStore } = await import('@llmtrace/storage/sqlite');
      const dir = mkdtempSync(join(tmpdir(), 'llmtrace-bench-'));
      return {
        store: createSqliteStore({ path: join(dir, 'bench.db') }),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    }
    case 'postgres': {
      const { createPostgresStore } = await import('@llmtrace/storage/postgres');
      const url = process.env.LLMTRACE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
      const schema = `llmtrace_bench_${randomBytes(4).toString('hex')}`;
      const store = createPostgresStore({ url, schema });
      const pg = storageRequire('pg');
      return {
        store,
        cleanup: async () => {
          const pool = new pg.Pool({ connectionString: url });
          await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await pool.end();
        },
      };
    }
    case 'clickhouse': {
      const { createClickHouseStore } = await import('@llmtrace/storage/clickhouse');
      const { createClient } = storageRequire('@clickhouse/client');
      const { createChdbConnection } = storageRequire('chdb/connection');
      const dir = mkdtempSync(join(tmpdir(), 'llmtrace-bench-chdb-'));
      const connection = createChdbConnection({ path: dir });
      const client = createClient({ connection });
      if (!['raw', 'exec'].includes(args['ch-insert'])) throw new Error('--ch-insert is raw or exec');
      const rawInsert =
        args['ch-insert'] === 'raw' ? (insert) => connection.chdb.rawInsert(insert) : undefined;
      return {
        store: createClickHouseStore({ client, database: 'llmtrace_bench', rawInsert }),
        cleanup: async () => {
          await client.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    default:
      throw new Error(`unknown adapter ${name}`);
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeQuery(store, q, n) {
  const times = [];
  let rows = 0;
  for (let k = 0; k < n; k++) {
    const t = performance.now();
    const page = await store.querySpans(q);
    times.push(performance.now() - t);
    rows = page.spans.length;
  }
  times.sort((a, b) => a - b);
  return { rows, p50: percentile(times, 50), p95: percentile(times, 95) };
}

const { store, cleanup } = await openAdapter(args.adapter);
try {
  await store.migrate();
  let insertMs = 0;
  let lastReport = performance.now();
  for (let i = 0; i < TOTAL; i += BATCH) {
    const batch = [];
    for (let k = i; k < Math.min(TOTAL, i + BATCH); k++) batch.push(makeSpan(k));
    const t = performance.now();
    await store.insertSpans(batch);
    insertMs += performance.now() - t;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      process.stderr.write(
        `  … ${i + batch.length} spans, ${Math.round(((i + batch.length) / insertMs) * 1000)} spans/s\n`,
      );
    }
  }
  const ingest = Math.round((TOTAL / insertMs) * 1000);

  const tenant = 'tenant-0';
  const first = await store.querySpans({ tenantId: tenant, limit: 50 });
  const queries = {
    'newest 50 (tenant only)': { tenantId: tenant, limit: 50 },
    'newest 50, model filter': { tenantId: tenant, model: 'gpt-4o-mini', limit: 50 },
    'newest 50, min score 70': { tenantId: tenant, minSecurityScore: 70, limit: 50 },
    'newest 50, finding type': { tenantId: tenant, findingType: 'pii.email', limit: 50 },
    'second page, model filter': {
      tenantId: tenant,
      model: 'gpt-4o-mini',
      limit: 50,
      cursor: first.nextCursor,
    },
  };
  const results = {};
  for (const [label, q] of Object.entries(queries)) {
    await store.querySpans(q); // warm-up
    results[label] = await timeQuery(store, q, QUERIES);
  }
  const out = {
    adapter: store.name,
    spans: TOTAL,
    batch: BATCH,
    ...(args.adapter === 'clickhouse' ? { insert: args['ch-insert'] } : {}),
    tenants: TENANTS,
    ingestSpansPerSec: ingest,
    pageLatencyMs: Object.fromEntries(
      Object.entries(results).map(([k, v]) => [
        k,
        { rows: v.rows, p50: Number(v.p50.toFixed(2)), p95: Number(v.p95.toFixed(2)) },
      ]),
    ),
    node: process.version,
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  await store.close();
  if (!args.keep) await cleanup();
}
