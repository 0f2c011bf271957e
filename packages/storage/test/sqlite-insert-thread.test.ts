import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMTraceError } from '@llmtrace/core';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runTraceStoreContract } from './contract.js';
import { makeSpan } from './fixtures.js';

// The insert thread runs the built worker script, so these tests use the built package (the
// test command builds before it runs vitest). Imported by URL so typechecking needs no build.
const built = (await import(
  new URL('../dist/sqlite/index.js', import.meta.url).href
)) as typeof import('../src/sqlite/index.js');
const dir = mkdtempSync(join(tmpdir(), 'llmtrace-sqlite-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `t${n++}.db`);

runTraceStoreContract('sqlite (file, insert thread)', {
  create: async () => built.createSqliteStore({ path: fresh(), writerThread: true }),
});

describe('sqlite insert thread', () => {
  it('inserts on its own connection: it waits for a write lock held by the main one', async () => {
    const store = built.createSqliteStore({ path: fresh(), writerThread: true });
    await store.migrate();
    store.database.exec('BEGIN IMMEDIATE');
    let done = false;
    const insert = store.insertSpans([makeSpan({ spanId: 'a' })]).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    // Inline, the insert would have gone through the connection that holds the lock.
    expect(done).toBe(false);
    store.database.exec('COMMIT');
    await insert;
    expect(done).toBe(true);
    expect((await store.querySpans({ tenantId: 'tenant-a' })).spans.map((s) => s.spanId)).toEqual(['a']);
    await store.close();
  });

  it('fails a batch with a storage error, and goes on once the cause is gone', async () => {
    const store = built.createSqliteStore({ path: fresh(), writerThread: true });
    await store.migrate();
    await store.insertSpans([makeSpan({ spanId: 'a' })]);
    store.database.exec('ALTER TABLE spans RENAME TO spans_away');
    const failed = await store.insertSpans([makeSpan({ spanId: 'b' })]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(LLMTraceError);
    expect((failed as LLMTraceError).code).toBe('storage_error');
    store.database.exec('ALTER TABLE spans_away RENAME TO spans');
    await store.insertSpans([makeSpan({ spanId: 'b' }), makeSpan({ spanId: 'a' })]);
    const ids = (await store.querySpans({ tenantId: 'tenant-a' })).spans.map((s) => s.spanId).sort();
    expect(ids).toEqual(['a', 'b']);
    await store.close();
  });

  it('hands a large batch over in slices, letting other callbacks run between them', async () => {
    const store = built.createSqliteStore({ path: fresh(), writerThread: true });
    await store.migrate();
    const order: string[] = [];
    const batch = Array.from({ length: 60 }, (_, i) => {
      const span = makeSpan({ spanId: `s${i}` });
      // Read once per span when it is converted for the insert thread.
      Object.defineProperty(span, 'spanId', {
        get: () => {
          order.push(`s${i}`);
          return `s${i}`;
        },
      });
      return span;
    });
    setImmediate(() => order.push('io'));
    await store.insertSpans(batch);
    const io = order.indexOf('io');
    expect(io).toBeGreaterThan(0);
    expect(io).toBeLessThan(order.length - 1);
    expect(order.filter((x) => x !== 'io')).toEqual(batch.map((_, i) => `s${i}`));
    expect((await store.querySpans({ tenantId: 'tenant-a', limit: 100 })).spans).toHaveLength(60);
    await store.close();
  });

  it('stores a batch sent in slices in one transaction: all of it or none', async () => {
    const store = built.createSqliteStore({ path: fresh(), writerThread: true });
    await store.migrate();
    // The third slice's first span fails its insert.
    store.database.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON spans WHEN NEW.span_id = 's50' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    const batch = Array.from({ length: 60 }, (_, i) => makeSpan({ spanId: `s${i}` }));
    const failed = await store.insertSpans(batch).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(LLMTraceError);
    expect((await store.querySpans({ tenantId: 'tenant-a', limit: 100 })).spans).toHaveLength(0);
    store.database.exec('DROP TRIGGER refuse');
    await store.insertSpans(batch);
    expect((await store.querySpans({ tenantId: 'tenant-a', limit: 100 })).spans).toHaveLength(60);
    await store.close();
  });

  it('commits the batches in flight before close resolves', async () => {
    const path = fresh();
    const store = built.createSqliteStore({ path, writerThread: true });
    await store.migrate();
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 50 }, (_, i) => makeSpan({ spanId: `s${b}-${i}` })),
    );
    const inserts = batches.map((batch) => store.insertSpans(batch));
    await store.close();
    await Promise.all(inserts);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM spans').get()).toEqual({ n: 1000 });
    raw.close();
    await expect(store.insertSpans([makeSpan({ spanId: 'late' })])).rejects.toBeInstanceOf(LLMTraceError);
  });

  it('stops after the idle time, and starts again for the next batch', async () => {
    const { readFileSync } = await import('node:fs');
    const path = fresh();
    // Threads of this process (a worker thread is one more).
    const threads = (): number =>
      Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    const store = built.createSqliteStore({ path, writerThread: true, writerThreadIdleMs: 200 });
    await store.migrate();
    // libuv's thread pool starts on first use; start it now so it cannot count as the insert thread.
    await import('node:fs/promises').then((fs) => fs.stat(path));
    const before = threads();
    await store.insertSpans([makeSpan({ spanId: 'a' })]);
    expect(threads()).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 800));
    expect(threads()).toBe(before);
    await store.insertSpans([makeSpan({ spanId: 'b' })]);
    expect(threads()).toBeGreaterThan(before);
    expect((await store.querySpans({ tenantId: 'tenant-a' })).spans.map((s) => s.spanId).sort()).toEqual([
      'a',
      'b',
    ]);
    await store.close();
    expect(threads()).toBe(before);
  });

  it('stays on the calling thread for :memory: databases', async () => {
    const store = built.createSqliteStore({ path: ':memory:', writerThread: true });
    await store.migrate();
    store.database.exec('BEGIN IMMEDIATE');
    // Same connection: no lock to wait for.
    await store.insertSpans([makeSpan({ spanId: 'm' })]);
    store.database.exec('COMMIT');
    expect((await store.querySpans({ tenantId: 'tenant-a' })).spans).toHaveLength(1);
    await store.close();
  });
});

describe('sqlite insert thread, process lifetime', () => {
  it('keeps a process alive until a batch in flight is committed', async () => {
    const { execFileSync } = await import('node:child_process');
    const path = fresh();
    const setup = built.createSqliteStore({ path });
    await setup.migrate();
    await setup.close();
    const sqlite = new URL('../dist/sqlite/index.js', import.meta.url).href;
    // Nothing else keeps this script's event loop alive while the thread commits.
    const script = `
      const { createSqliteStore } = await import(${JSON.stringify(sqlite)});
      const store = createSqliteStore({ path: ${JSON.stringify(path)}, writerThread: true });
      const spans = Array.from({ length: 500 }, (_, i) => (${JSON.stringify(makeSpan({ spanId: 'x' }))}));
      store.insertSpans(spans.map((s, i) => ({ ...s, spanId: 'p' + i }))).then(() => console.log('committed'));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('committed');
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM spans').get()).toEqual({ n: 500 });
    raw.close();
  });

  it('keeps a process alive until close has shut the thread down', async () => {
    const { execFileSync } = await import('node:child_process');
    const path = fresh();
    const sqlite = new URL('../dist/sqlite/index.js', import.meta.url).href;
    const script = `
      const { createSqliteStore } = await import(${JSON.stringify(sqlite)});
      const store = createSqliteStore({ path: ${JSON.stringify(path)}, writerThread: true });
      await store.migrate();
      await store.insertSpans([${JSON.stringify(makeSpan({ spanId: 'c' }))}]);
      await store.close();
      console.log('closed');
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('closed');
  });
});
