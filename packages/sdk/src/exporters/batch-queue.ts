import { type Logger, type Span, silentLogger } from '@llmtrace/core';
import type { ExporterStats, SpanExporter } from '../types.js';

/** Options shared by the batching exporters. */
export interface BatchOptions {
  /** Spans per batch (default 100). */
  batchSize?: number;
  /** Longest a span waits before its batch is sent, ms (default 1000). */
  flushIntervalMs?: number;
  /** Most spans held in memory; further spans are dropped and counted (default 2048). */
  maxQueueSize?: number;
  /** Retries of a failed batch (default 3), with exponential backoff from `retryBaseMs` (default 200). */
  maxRetries?: number;
  retryBaseMs?: number;
  /** Flush what is queued when the process is about to exit (`beforeExit`; default true). */
  flushOnExit?: boolean;
  logger?: Logger;
}

/** A batching exporter built on {@link createBatchExporter}. */
export interface BatchExporter extends SpanExporter {
  stats(): ExporterStats;
}

/**
 * Turn "send this batch" into a non-blocking exporter: spans queue in memory (bounded), go out in
 * batches on a timer or when a batch fills, failed batches are retried with exponential backoff
 * and jitter, and the queue is flushed on `beforeExit`. `export` never throws and never waits.
 * `isRetryable(err)` decides whether a failure is worth another try (default: yes).
 */
export function createBatchExporter(
  send: (batch: Span[]) => Promise<void>,
  options: BatchOptions & { name: string; isRetryable?: (err: unknown) => boolean },
): BatchExporter {
  const logger = options.logger ?? silentLogger;
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const interval = options.flushIntervalMs ?? 1000;
  const maxQueue = Math.max(1, options.maxQueueSize ?? 2048);
  const maxRetries = Math.max(0, options.maxRetries ?? 3);
  const retryBase = options.retryBaseMs ?? 200;
  const counts = { exported: 0, dropped: 0, failed: 0 };
  const queue: Span[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | undefined;
  let stopped = false;
  let exitHooked = false;
  let warnedFull = false;

  const onBeforeExit = (): void => {
    // `beforeExit` fires again after this work finishes, so only start work when there is some.
    if (queue.length > 0) void kick();
  };
  const hookExit = (): void => {
    if (exitHooked || options.flushOnExit === false || typeof process === 'undefined') return;
    exitHooked = true;
    process.on('beforeExit', onBeforeExit);
  };

  const schedule = (): void => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void kick();
    }, interval);
    // The batch timer alone must not keep a finished program alive; `beforeExit` flushes instead.
    timer.unref?.();
  };

  async function sendWithRetry(batch: Span[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await send(batch);
        counts.exported += batch.length;
        return;
      } catch (err) {
        const retry = attempt < maxRetries && (options.isRetryable?.(err) ?? true);
        if (!retry) {
          counts.failed += batch.length;
          logger.warn(`llmtrace ${options.name} exporter dropped a batch`, {
            spans: batch.length,
            err: String(err),
          });
          return;
        }
        const delay = retryBase * 2 ** attempt * (0.5 + Math.random() / 2);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) await sendWithRetry(queue.splice(0, batchSize));
  }

  function kick(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    sending ??= drain().finally(() => {
      sending = undefined;
      if (queue.length > 0) schedule();
    });
    return sending;
  }

  return {
    export(span) {
      if (stopped || queue.length >= maxQueue) {
        counts.dropped++;
        if (!stopped && !warnedFull) {
          warnedFull = true;
          logger.warn(`llmtrace ${options.name} exporter queue full; dropping spans`, {
            maxQueueSize: maxQueue,
          });
        }
        return;
      }
      queue.push(span);
      hookExit();
      if (queue.length >= batchSize && !sending) void kick();
      else schedule();
    },
    async flush() {
      while (queue.length > 0 || sending) await kick();
    },
    async shutdown() {
      await this.flush();
      stopped = true;
      if (exitHooked) process.off('beforeExit', onBeforeExit);
      exitHooked = false;
    },
    stats: () => ({ ...counts, queued: queue.length }),
  };
}
