import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouseStore } from '../src/clickhouse/index.js';
import { createChdb } from './chdb.js';
import { runTraceStoreContract } from './contract.js';
import { makeSpan } from './fixtures.js';

// The real ClickHouse engine, embedded by chdb, behind @clickhouse/client: the adapter's own SQL runs.
const dir = mkdtempSync(join(tmpdir(), 'llmtrace-chdb-'));
const { client, rawInsert } = createChdb(dir);
afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});
const freshDb = (): string => `llmtrace_test_${randomBytes(5).toString('hex')}`;

runTraceStoreContract('clickhouse', {
  create: async () => createClickHouseStore({ client, database: freshDb() }),
});

// The same contract with the rows handed to the engine as bytes (chdb's raw insert).
runTraceStoreContract('clickhouse (raw insert)', {
  create: async () => createClickHouseStore({ client, database: freshDb(), rawInsert }),
});

describe('clickhouse specifics', () => {
  it('sends every insert through rawInsert when it is given', async () => {
    const calls: string[] = [];
    const store = createClickHouseStore({
      client,
      database: freshDb(),
      rawInsert: (insert) => {
        calls.push(insert.table);
        return rawInsert(insert);
      },
    });
    await store.migrate();
    await store.insertSpans([makeSpan({ spanId: 'a' }), makeSpan({ spanId: 'b' })]);
    await store.insertSpans([makeSpan({ spanId: 'a' })]); // already stored: nothing to send
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^llmtrace_test_[0-9a-f]+\.spans$/);
    const page = await store.querySpans({ tenantId: 'tenant-a' });
    expect(page.spans.map((s) => s.spanId).sort()).toEqual(['a', 'b']);
    await store.close();
  });

  it('refuses rawInsert with a database name the engine cannot take unquoted', () => {
    expect(() => createClickHouseStore({ client, database: 'bad-name', rawInsert })).toThrow(
      /letters, digits/,
    );
  });

  it('creates a monthly-partitioned MergeTree ordered for tenant + time, with compressed text columns', async () => {
    const database = freshDb();
    const store = createClickHouseStore({ client, database });
    await store.migrate();
    await store.migrate();
    const rs = await client.query({
      query:
        'SELECT engine, partition_key, sorting_key FROM system.tables WHERE database = {d:String} AND name = {t:String}',
      query_params: { d: database, t: 'spans' },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([
      {
        engine: 'ReplacingMergeTree',
        partition_key: "toYYYYMM(fromUnixTimestamp64Milli(start_time, 'UTC'))",
        sorting_key: 'tenant_id, start_time, span_id',
      },
    ]);
    const cols = await client.query({
      query:
        'SELECT name, type, compression_codec FROM system.columns WHERE database = {d:String} AND table = {t:String} AND name IN ({n:Array(String)}) ORDER BY name',
      query_params: { d: database, t: 'spans', n: ['model_name', 'prompt', 'response', 'tenant_id'] },
      format: 'JSONEachRow',
    });
    expect(await cols.json()).toEqual([
      { name: 'model_name', type: 'LowCardinality(String)', compression_codec: '' },
      { name: 'prompt', type: 'String', compression_codec: 'CODEC(ZSTD(3))' },
      { name: 'response', type: 'String', compression_codec: 'CODEC(ZSTD(3))' },
      { name: 'tenant_id', type: 'LowCardinality(String)', compression_codec: '' },
    ]);
    await store.close();
  });

  it('places spans of different months in different partitions', async () => {
    const database = freshDb();
    const store = createClickHouseStore({ client, database });
    await store.migrate();
    await store.insertSpans([
      makeSpan({ spanId: 'jan', startTime: Date.UTC(2026, 0, 15) }),
      makeSpan({ spanId: 'feb', startTime: Date.UTC(2026, 1, 15) }),
    ]);
    const rs = await client.query({
      query:
        'SELECT DISTINCT partition FROM system.parts WHERE database = {d:String} AND table = {t:String} AND active ORDER BY partition',
      query_params: { d: database, t: 'spans' },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ partition: '202601' }, { partition: '202602' }]);
    await store.close();
  });
});
