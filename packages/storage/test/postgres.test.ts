import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../src/postgres/index.js';
import { runTraceStoreContract } from './contract.js';
import { makeSpan } from './fixtures.js';

// The running PostgreSQL of the development and CI machines; a missing server fails these tests.
export const POSTGRES_URL =
  process.env.LLMTRACE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
const freshSchema = (): string => {
  const s = `llmtrace_test_${randomBytes(5).toString('hex')}`;
  schemas.push(s);
  return s;
};

afterAll(async () => {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL });
  try {
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await pool.end();
  }
});

runTraceStoreContract('postgres', {
  create: async () => createPostgresStore({ url: POSTGRES_URL, schema: freshSchema() }),
});

describe('postgres specifics', () => {
  it('uses JSONB for findings and tags and an index on (tenant_id, start_time desc, span_id)', async () => {
    const schema = freshSchema();
    const store = createPostgresStore({ url: POSTGRES_URL, schema });
    try {
      await store.migrate();
      await store.migrate();
      const { rows } = await store.pool.query(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'spans' AND column_name IN ('findings', 'tags', 'trace_id', 'model_name', 'security_score', 'duration_ms', 'start_time')
         ORDER BY column_name`,
        [schema],
      );
      expect(rows.map((r) => `${r.column_name}:${r.data_type}`)).toEqual([
        'duration_ms:integer',
        'findings:jsonb',
        'model_name:text',
        'security_score:double precision',
        'start_time:bigint',
        'tags:jsonb',
        'trace_id:text',
      ]);
      const idx = await store.pool.query(
        'SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2',
        [schema, 'spans_tenant_time'],
      );
      expect(idx.rows[0]?.indexdef).toContain('(tenant_id, start_time DESC, span_id DESC)');
      const versions = await store.pool.query('SELECT version FROM llmtrace_migrations ORDER BY version');
      expect(versions.rows.map((r) => r.version)).toEqual([1, 2, 3]);
    } finally {
      await store.close();
    }
  });

  it('inserts batches larger than one statement can carry', async () => {
    const store = createPostgresStore({ url: POSTGRES_URL, schema: freshSchema() });
    try {
      await store.migrate();
      const batch = Array.from({ length: 2500 }, (_, i) =>
        makeSpan({ spanId: `bulk-${i}`, startTime: 1000 + i }),
      );
      await store.insertSpans(batch);
      expect((await store.stats({ tenantId: 'tenant-a' })).total.requests).toBe(2500);
    } finally {
      await store.close();
    }
  });

  it('stores U+0000 and unpaired surrogates as U+FFFD instead of failing the batch', async () => {
    const store = createPostgresStore({ url: POSTGRES_URL, schema: freshSchema() });
    try {
      await store.migrate();
      const bad = makeSpan({
        spanId: 'bad',
        traceId: 'bad',
        response: 'x\u0000y \uD800 z',
        prompt: [{ role: 'user', content: 'lone \uDC00 low' }],
        tags: { k: 'v\u0000' },
      });
      await store.insertSpans([bad, makeSpan({ spanId: 'good', traceId: 'good' })]);
      const got = (await store.getTrace('tenant-a', 'bad'))?.spans[0];
      expect(got?.response).toBe('x\uFFFDy \uFFFD z');
      expect(got?.prompt[0]?.content).toBe('lone \uFFFD low');
      expect(got?.tags).toEqual({ k: 'v\uFFFD' });
      expect(await store.getTrace('tenant-a', 'good')).toBeDefined();
    } finally {
      await store.close();
    }
  });

  it('wraps connection errors with the adapter name', async () => {
    const store = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none' });
    await expect(store.insertSpans([makeSpan({ spanId: 'x' })])).rejects.toMatchObject({
      code: 'storage_error',
      message: expect.stringMatching(/^postgres: insert failed/),
    });
    expect((await store.health()).ok).toBe(false);
    await store.close();
  });
});
