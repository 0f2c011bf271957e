import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Span, TraceStore } from '@llmtrace/core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../src/postgres/index.js';
import { createSqliteStore } from '../src/sqlite/index.js';
import { createSpanWriter } from '../src/writer/index.js';
import { makeSpan, T0 } from './fixtures.js';
import { startTcpProxy } from './tcp-proxy.js';

const POSTGRES_URL = process.env.LLMTRACE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'llmtrace-fault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spanAt = (i: number): Span =>
  makeSpan({
    spanId: `fault-${String(i).padStart(6, '0')}`,
    traceId: `t-${i % 97}`,
    startTime: T0 + i,
    endTime: T0 + i + 5,
  });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Send `total` spans in bursts (like requests finishing), calling `outage` once a third went out
 * and `restore` at two thirds; returns the longest single `record` call (ms).
 */
async function load(
  writer: { record(s: Span): void },
  total: number,
  outage: () => Promise<void> | void,
  restore: () => Promise<void> | void,
): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < total; i++) {
    if (i === Math.floor(total / 3)) await outage();
    if (i === Math.floor((2 * total) / 3)) await restore();
    const t = performance.now();
    writer.record(spanAt(i));
    slowest = Math.max(slowest, performance.now() - t);
    if (i % 50 === 49) await sleep(2);
  }
  return slowest;
}

async function allSpanIds(store: TraceStore): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.querySpans({ tenantId: 'tenant-a', limit: 1000, cursor });
    ids.push(...page.spans.map((s) => s.spanId));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

const writerOptions = (spool: string) => ({
  batchSize: 50,
  maxQueue: 200,
  flushIntervalMs: 20,
  retryBaseMs: 5,
  retryMaxMs: 50,
  breakerThreshold: 3,
  breakerCooldownMs: 100,
  spoolPath: join(dir, spool),
  closeTimeoutMs: 20_000,
});

describe('span writer under store faults', () => {
  it('loses and duplicates nothing when inserts fail, or succeed but report failure, mid-load', async () => {
    const sqlite = createSqliteStore({ path: join(dir, 'fault.db') });
    await sqlite.migrate();
    let mode: 'up' | 'down' | 'ack-lost' = 'up';
    let failures = 0;
    const faulty: TraceStore = {
      ...sqlite,
      name: 'faulty',
      async insertSpans(batch) {
        if (mode === 'down') {
          failures += 1;
          throw new Error('store unavailable');
        }
        await sqlite.insertSpans(batch);
        if (mode === 'ack-lost' && failures++ % 2 === 0) throw new Error('timeout after commit');
      },
    };
    const writer = createSpanWriter(faulty, writerOptions('sqlite.spool'));
    const total = 3000;
    const slowest = await load(
      writer,
      total,
      () => {
        mode = 'down';
      },
      () => {
        mode = 'ack-lost';
      },
    );
    await sleep(300);
    mode = 'up';
    await writer.close();

    const stats = writer.stats();
    expect(failures).toBeGreaterThan(5);
    expect(stats.spooled).toBeGreaterThan(0); // memory alone could not hold the outage
    expect(stats.dropped).toBe(0);
    expect(stats.spoolPending).toBe(0);
    expect(slowest).toBeLessThan(50); // record never waited on the store
    const ids = await allSpanIds(sqlite);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(ids.slice().reverse()).toEqual(Array.from({ length: total }, (_, i) => spanAt(i).spanId));
    await sqlite.close();
  });

  it('delivers every span exactly once to PostgreSQL across refused connections', async () => {
    const target = new URL(POSTGRES_URL);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const via = new URL(POSTGRES_URL);
    via.hostname = '127.0.0.1';
    via.port = String(proxy.port);
    const schema = `llmtrace_test_${randomBytes(5).toString('hex')}`;
    const store = createPostgresStore({ url: via.toString(), schema, maxConnections: 4 });
    const admin = new pg.Pool({ connectionString: POSTGRES_URL });
    try {
      await store.migrate();
      const writer = createSpanWriter(store, writerOptions('pg.spool'));
      const total = 3000;
      await load(writer, total, proxy.cut, proxy.restore);
      await writer.close();
      const stats = writer.stats();
      expect(stats.retries).toBeGreaterThan(0);
      expect(stats.dropped).toBe(0);
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n, count(DISTINCT span_id)::int AS d FROM "${schema}".spans`,
      );
      expect(rows[0]).toEqual({ n: total, d: total });
    } finally {
      await store.close();
      await proxy.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
