import type { Logger, Span, SpanSink, TraceStore } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import { type BreakerState, createCircuitBreaker } from './circuit-breaker.js';
import { openSpool, type Spool } from './spool.js';

/** Options for {@link createSpanWriter}. */
export interface SpanWriterOptions {
  /** Spans per insert. Default 100. */
  batchSize?: number;
  /** Flush at least this often (ms). Default 200. */
  flushIntervalMs?: number;
  /** Spans held in memory before spilling to the spool (or dropping without one). Default 10000. */
  maxQueue?: number;
  /** Retries of one batch before the writer waits for the next tick. Default 3. */
  maxRetries?: number;
  /** First retry delay (ms), doubled per attempt with jitter. Default 100. */
  retryBaseMs?: number;
  /** Longest retry delay (ms). Default 5000. */
  retryMaxMs?: number;
  /** Consecutive failed inserts that open the circuit breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the breaker stays open before a trial insert (ms). Default 5000. */
  breakerCooldownMs?: number;
  /** Append-only spool file for spans that do not fit in memory while the store is down. */
  spoolPath?: string;
  /** Disk budget of the spool (bytes). Default 256 MiB. */
  spoolMaxBytes?: number;
  /** How long {@link SpanWriter.close} keeps trying to write before spooling or dropping (ms). Default 10000. */
  closeTimeoutMs?: number;
  logger?: Logger;
}

/** Counters of a writer. */
export interface SpanWriterStats {
  /** Spans waiting in memory. */
  queued: number;
  /** Spans the store stored. */
  written: number;
  /**
   * Spans the store skipped because one with the same tenant and span id was already stored: a
   * batch retried after a failure that had in fact committed, a span sent twice, or two calls
   * given the same id by their callers. Counted only with stores that tell (all built-in ones).
   */
  skipped: number;
  /** Spans lost because memory and the spool budget were both full (or the writer was closed). */
  dropped: number;
  /** Spans ever written to the spool. */
  spooled: number;
  /** Spans in the spool not yet replayed. */
  spoolPending: number;
  /** Failed insert attempts. */
  retries: number;
  breaker: BreakerState;
}

/** A batched background writer: `record` never throws or blocks. */
export interface SpanWriter extends SpanSink {
  /** Try to write everything queued or spooled now; resolves when empty or when the store fails. */
  flush(): Promise<void>;
  /** Stop accepting spans, write everything (up to `closeTimeoutMs`), spool or count the rest. Idempotent. */
  close(): Promise<void>;
  stats(): SpanWriterStats;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * Create the batched writer between the proxy and a {@link TraceStore}. Spans are queued in
 * memory and inserted in batches (on size or interval) off the request path. Failed inserts are
 * retried with exponential backoff; repeated failures open a circuit breaker so a dead store costs
 * nothing per request. When the queue is full, spans spill to the spool file (if configured) and
 * are replayed in order once the store is back; only when the spool's budget is exhausted too
 * are spans dropped, counted and logged.
 *
 * @example
 * const writer = createSpanWriter(store, { spoolPath: './llmtrace.spool' });
 * writer.record(span); // returns at once
 * await writer.close(); // flushes everything
 */
export function createSpanWriter(store: TraceStore, options: SpanWriterOptions = {}): SpanWriter {
  const logger = options.logger ?? silentLogger;
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const maxQueue = Math.max(batchSize, options.maxQueue ?? 10_000);
  const maxRetries = options.maxRetries ?? 3;
  const retryBase = options.retryBaseMs ?? 100;
  const retryMax = options.retryMaxMs ?? 5000;
  const closeTimeout = options.closeTimeoutMs ?? 10_000;
  const breaker = createCircuitBreaker({
    failureThreshold: options.breakerThreshold ?? 5,
    cooldownMs: options.breakerCooldownMs ?? 5000,
  });

  const queue: Span[] = [];
  let spool: Spool | undefined;
  if (options.spoolPath) {
    try {
      spool = openSpool({ path: options.spoolPath, maxBytes: options.spoolMaxBytes ?? 256 * 1024 * 1024 });
    } catch (err) {
      logger.error('span writer: cannot open spool, continuing without it', { error: String(err) });
    }
  }
  let written = 0;
  let skipped = 0;
  let dropped = 0;
  let spooled = 0;
  let retries = 0;
  let closed = false;
  let closing: Promise<void> | undefined;
  // Set by close(): a drain already running stops retrying past it.
  let closeDeadline = Number.POSITIVE_INFINITY;
  let pumping: Promise<boolean> | undefined;
  let lastDropLog = 0;
  let lastFailLog = 0;
  let lastSkipLog = 0;

  const hasWork = (): boolean => queue.length > 0 || (spool?.pending() ?? 0) > 0;

  const drop = (n: number, reason: string): void => {
    dropped += n;
    const now = Date.now();
    if (now - lastDropLog >= 1000) {
      lastDropLog = now;
      logger.error('span writer: spans dropped', { reason, dropped });
    }
  };

  /**
   * Count a batch of `sent` spans the store answered with `result` (`insertSpans`'s: the number
   * stored, or nothing): what it stored, and what it skipped.
   */
  const stored = (sent: number, result: unknown): void => {
    const n = typeof result === 'number' && result >= 0 && result <= sent ? result : sent;
    written += n;
    if (n === sent) return;
    skipped += sent - n;
    const now = Date.now();
    if (now - lastSkipLog >= 1000) {
      lastSkipLog = now;
      logger.warn('span writer: spans with an id already stored were skipped', {
        store: store.name,
        skipped,
      });
    }
  };

  const spill = (span: Span): void => {
    if (!spool) {
      drop(1, 'queue full and no spool configured');
      return;
    }
    try {
      if (spool.append(span)) spooled += 1;
      else drop(1, 'spool disk budget exhausted');
    } catch (err) {
      drop(1, `spool write failed: ${String(err)}`);
    }
  };

  const backoff = (attempt: number): number => {
    const exp = Math.min(retryMax, retryBase * 2 ** (attempt - 1));
    return exp / 2 + Math.random() * (exp / 2);
  };

  // Consecutive failures of the batch at the head of the line, across drains.
  let headFailures = 0;

  /**
   * The head batch failed too often. If the store says it is healthy, the batch itself may hold a
   * span the store rejects (bad data): write the spans one by one and drop, count and log only
   * those rejected. If no span at all goes in, treat it as an outage and keep everything.
   */
  const isolate = async (batch: Span[], fromQueue: boolean): Promise<boolean> => {
    const health = await store.health().catch(() => ({ ok: false }));
    if (!health.ok) return false;
    const rejected: string[] = [];
    const results: unknown[] = [];
    for (const s of batch) {
      try {
        results.push(await store.insertSpans([s]));
      } catch {
        rejected.push(s.spanId);
      }
    }
    if (results.length === 0) return false;
    for (const r of results) stored(1, r);
    dropped += rejected.length;
    logger.error('span writer: store rejected spans, dropped', {
      store: store.name,
      spanIds: rejected,
      dropped,
    });
    if (fromQueue) queue.splice(0, batch.length);
    else spool?.consume();
    headFailures = 0;
    breaker.success();
    return true;
  };

  /** Write oldest-first until empty (true) or until the store keeps failing (false). */
  const drain = async (ignoreBreaker: boolean, deadline = Number.POSITIVE_INFINITY): Promise<boolean> => {
    let attempt = 0;
    while (hasWork()) {
      if (!ignoreBreaker && !breaker.allow()) return false;
      // The in-memory queue always holds older spans than the spool: once spilling starts, new
      // spans go to the spool until it is fully replayed.
      const fromQueue = queue.length > 0;
      const batch = fromQueue ? queue.slice(0, batchSize) : (spool as Spool).peek(batchSize);
      if (batch.length === 0) {
        spool?.consume(); // only unreadable lines were read
        continue;
      }
      try {
        const result = await store.insertSpans(batch);
        breaker.success();
        attempt = 0;
        headFailures = 0;
        stored(batch.length, result);
        if (fromQueue) queue.splice(0, batch.length);
        else spool?.consume();
      } catch (err) {
        breaker.failure();
        retries += 1;
        attempt += 1;
        headFailures += 1;
        const now = Date.now();
        if (now - lastFailLog >= 1000) {
          lastFailLog = now;
          logger.warn('span writer: insert failed, will retry', {
            store: store.name,
            error: err instanceof Error ? err.message : String(err),
            breaker: breaker.state(),
          });
        }
        if (headFailures > maxRetries && (await isolate(batch, fromQueue))) {
          attempt = 0;
          continue;
        }
        const wait = backoff(attempt);
        if (attempt > maxRetries || Date.now() + wait > Math.min(deadline, closeDeadline)) return false;
        await sleep(wait);
      }
    }
    return true;
  };

  const kick = (ignoreBreaker = false, deadline?: number): Promise<boolean> => {
    pumping ??= drain(ignoreBreaker, deadline).finally(() => {
      pumping = undefined;
    });
    return pumping;
  };

  const shutdown = async (): Promise<void> => {
    closed = true;
    clearInterval(timer);
    const deadline = Date.now() + closeTimeout;
    closeDeadline = deadline;
    while (hasWork() && Date.now() < deadline) {
      if (pumping) await pumping;
      if (!hasWork()) break;
      if (!(await kick(true, deadline))) await sleep(Math.min(retryBase, Math.max(0, deadline - Date.now())));
    }
    if (queue.length > 0) {
      // Keep what could not be written for the next start, if there is a spool. These go after
      // anything already spooled, so across a restart they replay after newer spans; nothing is
      // lost or duplicated (inserts are idempotent), only that order.
      const left = queue.splice(0, queue.length);
      for (const s of left) spill(s);
      logger.warn('span writer: store unavailable at shutdown', {
        left: left.length,
        spooled: spool !== undefined,
      });
    }
    spool?.close();
    logger.info('span writer closed', { written, skipped, dropped, spooled, retries });
  };

  const timer = setInterval(() => {
    if (hasWork()) void kick();
  }, options.flushIntervalMs ?? 200);
  timer.unref();
  if (hasWork()) void kick(); // a spool left by a previous run

  return {
    record(span: Span): void {
      try {
        if (closed) drop(1, 'writer closed');
        else if ((spool?.pending() ?? 0) > 0 || queue.length >= maxQueue) spill(span);
        else {
          queue.push(span);
          if (queue.length >= batchSize) void kick();
        }
      } catch {
        dropped += 1; // record must never throw
      }
    },
    async flush(): Promise<void> {
      while (hasWork()) {
        if (pumping) await pumping;
        if (!hasWork()) return;
        if (!(await kick())) return;
      }
    },
    close(): Promise<void> {
      closing ??= shutdown();
      return closing;
    },
    stats(): SpanWriterStats {
      return {
        queued: queue.length,
        written,
        skipped,
        dropped,
        spooled,
        spoolPending: spool?.pending() ?? 0,
        retries,
        breaker: breaker.state(),
      };
    },
  };
}
