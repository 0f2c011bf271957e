import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/index.js';
import { createAppLogger } from '../src/logger.js';
import { type RunningProxy, startProxy } from '../src/server.js';

// A span id is the caller's to choose through the ingest API (and OTLP): a span sent twice, or
// two spans given the same id, are stored once, and the proxy says how many it skipped.
describe('spans whose id is already stored', () => {
  let dir: string;
  let proxy: RunningProxy;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llmtrace-span-ids-'));
    proxy = await startProxy(
      configSchema.parse({
        listen_addr: '127.0.0.1:0',
        upstream_url: 'http://127.0.0.1:9',
        storage: { profile: 'sqlite', database_path: join(dir, 'spans.db') },
      }),
      createAppLogger({ level: 'silent', format: 'json' }),
    );
  });
  afterAll(async () => {
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = async (response: string) => {
    const res = await fetch(`${proxy.url}/api/v1/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-llmtrace-tenant-id': 'ids' },
      body: JSON.stringify({
        spans: [
          {
            traceId: 'a'.repeat(32),
            spanId: 'b'.repeat(16),
            operation: 'chat',
            provider: 'openai',
            model: 'gpt-4o',
            startTime: Date.now(),
            response,
          },
        ],
      }),
    });
    expect(res.status).toBeLessThan(300);
  };

  it('stores the first and counts the second in llmtrace_spans_skipped_total', async () => {
    await send('first');
    await send('second');
    let skipped = Number.NaN;
    for (let i = 0; i < 100 && skipped !== 1; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const text = await (await fetch(`${proxy.url}/metrics`)).text();
      skipped = Number(/^llmtrace_spans_skipped_total (\S+)$/m.exec(text)?.[1]);
    }
    expect(skipped).toBe(1);
    const db = new Database(join(dir, 'spans.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT response FROM spans WHERE tenant_id = 'ids'").all();
      expect(rows).toEqual([{ response: 'first' }]);
    } finally {
      db.close();
    }
  });
});
