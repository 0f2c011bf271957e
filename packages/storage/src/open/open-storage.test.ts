import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateStorage, openStorage } from './open-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'llmtrace-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const span = {
  traceId: 't1',
  spanId: 's1',
  tenantId: 'acme',
  operation: 'chat' as const,
  provider: 'openai',
  model: 'gpt-4o',
  startTime: 1_000,
  endTime: 1_100,
  durationMs: 100,
  stream: false,
  statusCode: 200,
  status: 'ok' as const,
  promptTokens: 1,
  completionTokens: 1,
  totalTokens: 2,
  usageSource: 'upstream' as const,
  securityScore: 0,
  findings: [],
  prompt: [],
  response: '',
  toolCalls: [],
  tags: {},
};

describe('openStorage', () => {
  it('opens the sqlite profile migrated, with metadata in the same file', async () => {
    const databasePath = join(dir, 'a.db');
    const s = await openStorage({ profile: 'sqlite', databasePath });
    expect(s.traces.name).toBe('sqlite');
    await s.traces.insertSpans([span]);
    await s.metadata.upsertTenant({ id: 'acme', name: 'Acme', createdAt: 1 });
    expect(await s.counters.incrBy('k', 1, 1000)).toBe(1);
    await s.close();
    await s.close(); // idempotent
    const raw = new Database(databasePath, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM spans').get()).toEqual({ n: 1 });
    expect(raw.prepare('SELECT name FROM tenants').get()).toEqual({ name: 'Acme' });
    raw.close();
  });

  it('does not migrate when autoMigrate is false; migrateStorage does', async () => {
    const databasePath = join(dir, 'b.db');
    const s = await openStorage({ profile: 'sqlite', databasePath, autoMigrate: false });
    await expect(s.traces.insertSpans([span])).rejects.toMatchObject({ code: 'storage_error' });
    await s.close();
    await migrateStorage({ profile: 'sqlite', databasePath });
    const s2 = await openStorage({ profile: 'sqlite', databasePath, autoMigrate: false });
    await s2.traces.insertSpans([span]);
    expect((await s2.traces.querySpans({ tenantId: 'acme' })).spans).toHaveLength(1);
    await s2.close();
  });

  it('opens the memory profile', async () => {
    const s = await openStorage({ profile: 'memory' });
    await s.traces.insertSpans([span]);
    expect((await s.traces.getTrace('acme', 't1'))?.spans).toHaveLength(1);
    await s.close();
  });

  it('opens the postgres profile with redis counters against the running services', async () => {
    const s = await openStorage({
      profile: 'postgres',
      postgresUrl: process.env.LLMTRACE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      redisUrl: process.env.LLMTRACE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      autoMigrate: false,
    });
    expect(s.traces.name).toBe('postgres');
    expect(await s.traces.health()).toEqual({ ok: true });
    const key = `open-test:${Math.random()}`;
    expect(await s.counters.incrBy(key, 2, 1000)).toBe(2);
    await s.close();
  });

  it('wires the clickhouse and production profiles (ClickHouse server unreachable here)', async () => {
    const ch = await openStorage({
      profile: 'clickhouse',
      clickhouseUrl: 'http://127.0.0.1:1/llmtrace',
      autoMigrate: false,
    });
    expect(ch.traces.name).toBe('clickhouse');
    expect((await ch.traces.health()).ok).toBe(false);
    await ch.close();
    const prod = await openStorage({
      profile: 'production',
      clickhouseUrl: 'http://127.0.0.1:1/llmtrace',
      postgresUrl: process.env.LLMTRACE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      redisUrl: process.env.LLMTRACE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      autoMigrate: false,
    });
    expect(prod.traces.name).toBe('clickhouse');
    expect(await prod.metadata.health()).toEqual({ ok: true });
    const key = `open-test:${Math.random()}`;
    expect(await prod.counters.incrIfBelow(key, 1, 1, 1000)).toEqual({ ok: true, value: 1 });
    await prod.close();
  });

  it('rejects an unknown profile with invalid_config', async () => {
    await expect(openStorage({ profile: 'mongo' } as never)).rejects.toMatchObject({
      code: 'invalid_config',
    });
  });
});
