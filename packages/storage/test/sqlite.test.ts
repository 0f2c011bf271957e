import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/sqlite/index.js';
import { runTraceStoreContract } from './contract.js';
import { makeSpan } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'llmtrace-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runTraceStoreContract('sqlite (file)', {
  create: async () => createSqliteStore({ path: join(dir, 'contract.db') }),
});
runTraceStoreContract('sqlite (:memory:)', { create: async () => createSqliteStore({ path: ':memory:' }) });

describe('sqlite file layout', () => {
  it('keeps the seed column names and WAL mode, readable by plain SQL', async () => {
    const path = join(dir, 'layout.db');
    const store = createSqliteStore({ path });
    await store.migrate();
    await store.insertSpans([
      makeSpan({ spanId: 's1', model: 'gpt-4o', securityScore: 40, durationMs: 321, startTime: 1000 }),
      makeSpan({ spanId: 's2', model: 'gpt-4o-mini', startTime: 2000 }),
    ]);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const rows = raw
        .prepare(
          'SELECT trace_id, model_name, security_score, duration_ms FROM spans ORDER BY start_time DESC LIMIT 10',
        )
        .all();
      expect(rows).toEqual([
        { trace_id: 'trace-default', model_name: 'gpt-4o-mini', security_score: 0, duration_ms: 120 },
        { trace_id: 'trace-default', model_name: 'gpt-4o', security_score: 40, duration_ms: 321 },
      ]);
      const versions = raw.prepare('SELECT version FROM llmtrace_migrations ORDER BY version').all();
      expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('creates missing parent folders, and names the file when it cannot open it', async () => {
    const store = createSqliteStore({ path: join(dir, 'nested', 'deeper', 'x.db') });
    await store.migrate();
    expect(await store.health()).toEqual({ ok: true });
    await store.close();
    expect(() => createSqliteStore({ path: join(dir, 'nested') })).toThrow(/^sqlite: open ".*nested" failed/);
  });

  it('wraps driver errors with the adapter name', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await expect(store.insertSpans([makeSpan({ spanId: 'x' })])).rejects.toMatchObject({
      code: 'storage_error',
      message: expect.stringContaining('sqlite:'),
    });
    await store.close();
  });
});
