import type { Logger, TraceStore } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';

/** Options for {@link createRetentionJob}. */
export interface RetentionJobOptions {
  /** Keep this many days of spans; older ones are deleted. Must be > 0. */
  days: number;
  /** How often to run (ms). Default one hour. The first run happens at start. */
  intervalMs?: number;
  logger?: Logger;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** A running retention job. */
export interface RetentionJob {
  /** Run one delete now; resolves to how many spans were deleted (0 if the store failed). */
  runOnce(): Promise<number>;
  /** Stop the timer. Idempotent. */
  stop(): void;
}

const DAY_MS = 86_400_000;

/**
 * Delete spans older than `days` on an interval (`storage.retention_days`). Failures are logged
 * and retried on the next tick; they never throw into the caller.
 *
 * @example
 * const job = createRetentionJob(store, { days: 30 });
 * // …
 * job.stop();
 */
export function createRetentionJob(store: TraceStore, options: RetentionJobOptions): RetentionJob {
  if (!(options.days > 0)) throw new RangeError('retention days must be > 0');
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  let running: Promise<number> | undefined;
  const runOnce = (): Promise<number> => {
    running ??= (async () => {
      try {
        const deleted = await store.deleteBefore(now() - options.days * DAY_MS);
        if (deleted > 0) logger.info('retention: deleted old spans', { deleted, days: options.days });
        return deleted;
      } catch (err) {
        logger.warn('retention: delete failed', { error: err instanceof Error ? err.message : String(err) });
        return 0;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const first = setTimeout(() => void runOnce(), 0);
  const timer = setInterval(() => void runOnce(), options.intervalMs ?? 3_600_000);
  first.unref();
  timer.unref();
  return {
    runOnce,
    stop(): void {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
