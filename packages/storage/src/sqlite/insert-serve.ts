import { parentPort, workerData } from 'node:worker_threads';
import type { InsertReply, InsertRequest } from './insert-thread.js';
import { openSqliteDatabase } from './open.js';

/**
 * The body of the SQLite insert thread: open a write connection to the file named in
 * `workerData` and run each batch of span rows it is sent in one transaction, answering with the
 * batch id (and the error, if the transaction failed). A worker script calls it once.
 *
 * @example
 * // insert-worker.js, started by createSqliteStore({ writerThread: true })
 * serveSqliteInserts();
 */
export function serveSqliteInserts(): void {
  const port = parentPort;
  if (!port) throw new Error('serveSqliteInserts runs on a worker thread');
  const { path, sql, busyTimeoutMs } = workerData as { path: string; sql: string; busyTimeoutMs: number };
  const db = openSqliteDatabase(path, busyTimeoutMs);
  // Inserts touch the newest pages of each index and little else: 4 MiB of page cache, not the
  // 16 MiB the query connection keeps.
  db.pragma('cache_size = -4096');
  const stmt = db.prepare(sql);
  const insertRows = db.transaction((rows: readonly unknown[][]) => {
    for (const row of rows) stmt.run(row);
  });
  port.on('message', (msg: InsertRequest) => {
    if (msg.close) {
      db.close();
      port.close();
      return;
    }
    let reply: InsertReply;
    try {
      insertRows(msg.rows);
      reply = { id: msg.id };
    } catch (err) {
      reply = { id: msg.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}
