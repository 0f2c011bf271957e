import { parentPort, workerData } from 'node:worker_threads';
import type { InsertReply, InsertRequest } from './insert-thread.js';
import { openSqliteDatabase } from './open.js';

/**
 * The body of the SQLite insert thread: open a write connection to the file named in
 * `workerData` and insert the span rows it is sent. Rows marked `more` wait for the next message
 * without it; that message's rows and all those waiting go in one transaction, and every message
 * of the group is answered with its id (and the error, if the transaction failed; the last one
 * also with how many of the group's rows were new). A worker script calls it once.
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
  const insertRows = db.transaction((messages: readonly InsertRequest[]): number => {
    let stored = 0;
    for (const msg of messages) for (const row of msg.rows) stored += stmt.run(row).changes;
    return stored;
  });
  // The messages of the group waiting for its last one.
  let waiting: InsertRequest[] = [];
  const commit = (): void => {
    if (waiting.length === 0) return;
    let error: string | undefined;
    let stored = 0;
    try {
      stored = insertRows(waiting);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    // The count goes with the group's last answer, the one the sender waits for.
    const last = waiting.length - 1;
    for (const [i, { id }] of waiting.entries()) {
      let reply: InsertReply = { id };
      if (error !== undefined) reply = { id, error };
      else if (i === last) reply = { id, stored };
      port.postMessage(reply);
    }
    waiting = [];
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
    waiting.push(msg);
    if (!msg.more) commit();
  });
}
