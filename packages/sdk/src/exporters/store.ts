import type { TraceStore } from '@llmtrace/core';
import { type BatchExporter, type BatchOptions, createBatchExporter } from './batch-queue.js';

/**
 * Write spans straight into any `TraceStore` (SQLite, PostgreSQL, ClickHouse, memory or your
 * own), batched and retried like the HTTP exporter. The store must be migrated already; the
 * exporter does not close it.
 *
 * @example
 * const store = createSqliteStore({ path: './llmtrace.db' });
 * await store.migrate();
 * configure({ exporter: createStoreExporter(store) });
 */
export function createStoreExporter(store: TraceStore, options: BatchOptions = {}): BatchExporter {
  return createBatchExporter(
    async (batch) => {
      await store.insertSpans(batch);
    },
    {
      ...options,
      name: `store:${store.name}`,
    },
  );
}
