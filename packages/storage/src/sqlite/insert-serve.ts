import { parentPort, workerData } from 'node:worker_threads';
import type { InsertReply, InsertRequest } from './insert-thread.js';
import { openSqliteDatabase } from './open.js';

/**
 * The body of the SQLite insert thread: open a write connection to the file named in
 * `workerData` and insert the span rows it is sent. Rows marked `more` wait for the next message
 * without it; that message's rows and all those waiting go in one transaction, and every message
 * of the group is answered with its id (and the error, if the transaction failed). A worker
 * script calls it once.
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
  const insertRows = db.transaction((groups: readonly (readonly unknown[][])[]) => {
    for (const rows of groups) for (const row of rows) stmt.run(row);
  });
  // The group waiting for its last message: the messages' ids and their rows.
  let ids: number[] = [];
  let groups: unknown[][][] = [];
  const commit = (): void => {
    if (ids.length === 0) return;
    let error: string | undefined;
    try {
      insertRows(groups);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    for (const id of ids)
      port.postMessage((error === undefined ? { id } : { id, error }) satisfies InsertReply);
    ids = [];
    groups = [];
  };
  port.on('message', (msg: InsertRequest) => {
    if (msg.close) {
      // Nothing should be waiting (the last slice of a batch comes before close); if it is, it is
      // stored rather than dropped.
      commit();
      db.close();
      port.close();
      return;
    }
    ids.push(msg.id);
    groups.push(msg.rows);
    if (!msg.more) commit();
  });
}
