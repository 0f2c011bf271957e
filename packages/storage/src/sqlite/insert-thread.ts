import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@llmtrace/core';

/**
 * Span rows (column values in `SPAN_COLUMNS` order) for the insert thread. With `more`, the thread
 * holds them until a message without it and inserts them all in that message's transaction.
 */
export interface InsertRequest {
  id: number;
  rows: unknown[][];
  more?: boolean;
  close?: boolean;
}

/**
 * The insert thread's answer to one message, sent once its rows are committed: `error` set when
 * the transaction failed (none of its rows were written), else `stored` on the answer to a
 * group's last message: the rows of the whole group that were new (the others were already
 * stored, and skipped).
 */
export interface InsertReply {
  id: number;
  error?: string;
  stored?: number;
}

/** Inserts run on a worker thread with its own connection to the same database file. */
export interface InsertThread {
  /**
   * Insert the rows; resolves once committed. With `more`, they wait on the thread for the next
   * call without it and go in its transaction: a batch sent in slices is one transaction. The
   * call without `more` resolves with how many rows of the whole transaction were new.
   */
  insert(rows: unknown[][], more?: boolean): Promise<number | undefined>;
  /** Wait for inserts in flight, then close the thread's connection and stop it. */
  close(): Promise<void>;
}

/** How long the thread stays up without a batch. */
const IDLE_STOP_MS = 10_000;

/** The built worker script beside this module (or beside the bundle that inlined it), if present. */
function workerScript(): URL | undefined {
  for (const rel of ['./insert-worker.js', './sqlite/insert-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/**
 * Start the SQLite insert thread for a database file, or return `undefined` when the built worker
 * script is not there (running from sources): inserts then stay on the calling thread. A thread
 * that dies fails the batches it held (the span writer retries or spools them) and the next
 * batch starts a new one; so does the next batch after the thread stopped itself, 10 s idle.
 *
 * @example
 * const thread = startInsertThread({ path: './llmtrace.db', sql: INSERT_SQL, logger });
 * await thread?.insert(rows);
 */
export function startInsertThread(options: {
  path: string;
  sql: string;
  busyTimeoutMs: number;
  logger: Logger;
  /** How long the thread stays up without a batch, ms (default 10 000). */
  idleStopMs?: number;
}): InsertThread | undefined {
  const script = workerScript();
  if (!script) return undefined;
  const { logger } = options;
  const pending = new Map<
    number,
    { resolve: (stored: number | undefined) => void; reject: (err: Error) => void }
  >();
  let nextId = 1;
  let worker: Worker | undefined;
  let closed = false;
  let idleTimer: NodeJS.Timeout | undefined;

  // Idle long enough: the thread closes its connection and exits, giving its memory back; the
  // next batch starts a new one.
  const retire = (w: Worker): void => {
    if (worker !== w || pending.size > 0) return;
    worker = undefined;
    w.postMessage({ id: 0, rows: [], close: true } satisfies InsertRequest);
  };

  // Resolves close()'s wait once no batch is in flight.
  let drained: (() => void) | undefined;
  const failAll = (why: string): void => {
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(new Error(why));
    drained?.();
  };
  const start = (): Worker => {
    const w = new Worker(script, {
      workerData: { path: options.path, sql: options.sql, busyTimeoutMs: options.busyTimeoutMs },
      // None of the parent's Node flags: some (`--input-type`, `--eval`) stop a worker from starting.
      execArgv: [],
      // Rows pass through and are gone within a batch: a small young generation is enough, and
      // its size is RSS the proxy would otherwise keep.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    w.on('message', (msg: InsertReply) => {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (pending.size === 0) {
        w.unref();
        idleTimer = setTimeout(() => retire(w), options.idleStopMs ?? IDLE_STOP_MS).unref();
      }
      if (msg.error === undefined) p.resolve(msg.stored);
      else p.reject(new Error(msg.error));
      if (pending.size === 0) drained?.();
    });
    const gone = (why: string): void => {
      if (worker !== w) return;
      worker = undefined;
      if (!closed) logger.error('sqlite insert thread stopped', { why });
      failAll(`insert thread stopped (${why})`);
    };
    w.on('error', (err) => gone(String(err)));
    w.on('exit', (code) => gone(`exit ${code}`));
    // Idle between batches the thread must not keep the process alive on its own; with a batch
    // in flight it must, or a process with nothing else left to do would exit before the commit.
    w.unref();
    return w;
  };

  return {
    insert(rows, more) {
      if (closed) return Promise.reject(new Error('store is closed'));
      clearTimeout(idleTimer);
      worker ??= start();
      const id = nextId++;
      const w = worker;
      return new Promise<number | undefined>((resolve, reject) => {
        if (pending.size === 0) w.ref();
        pending.set(id, { resolve, reject });
        w.postMessage({ id, rows, more } satisfies InsertRequest);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(idleTimer);
      // Batches already handed over are committed before the connection closes.
      if (pending.size > 0) await new Promise<void>((done) => (drained = done));
      const w = worker;
      worker = undefined;
      if (!w) return;
      const exited = new Promise<void>((done) => w.once('exit', () => done()));
      // Held by the thread until it has closed its connection and exited.
      w.ref();
      w.postMessage({ id: 0, rows: [], close: true } satisfies InsertRequest);
      await exited;
    },
  };
}
