import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '@llmtrace/core';

type Collect = (options?: { type: 'major'; execution: 'async' }) => unknown;

/** V8's collector: the global one under `--expose-gc`, else exposed now in a fresh context. */
function collector(): Collect | undefined {
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === 'function') return global as Collect;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Collect) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When the passes after the first run, relative to it. The second (1 s) frees what the first
 * left to sweep. The third waits out V8's 5 s allocation-rate window: V8 shrinks the young
 * generation (up to 32 MiB committed after load) only in a collection that sees a low allocation
 * rate, and the first two still count what the last requests allocated.
 */
const LATER_PASSES_MS = [1000, 7000] as const;

/** One full collection, run incrementally in steps between other work rather than in one pause. */
function collect(gc: Collect, logger: Logger): void {
  const t = performance.now();
  const failed = (err: unknown): void =>
    logger.warn('idle garbage collection failed', { error: String(err) });
  try {
    Promise.resolve(gc({ type: 'major', execution: 'async' })).then(
      () => logger.debug('idle garbage collection', { ms: Math.round(performance.now() - t) }),
      failed,
    );
  } catch (err) {
    failed(err);
  }
}

/** Tells the collector about traffic. */
export interface IdleCollector {
  /** A request arrived. */
  touch(): void;
  stop(): void;
}

/**
 * One full collection now, in a single pause: for start-up, before the server listens. Loading
 * the tokenizer's tables and warming up the scanner leave 15–20 MB of garbage (old generation,
 * large objects, the tables' file buffer) that an allocation-driven collection would not reclaim
 * for a long while: under load the proxy promotes so little that V8 seldom runs one.
 */
function collectNow(gc: Collect, logger: Logger): void {
  const t = performance.now();
  try {
    // No options: on Node.js 20 a synchronous collection asked for with options frees nothing.
    gc();
    logger.debug('start-up garbage collection', { ms: Math.round(performance.now() - t) });
  } catch (err) {
    logger.warn('start-up garbage collection failed', { error: String(err) });
  }
}

/**
 * Return the heap grown under load once traffic stops. V8 keeps the old generation it grew to
 * (mostly garbage: spans and bodies promoted while they waited for the writer) until the next
 * allocation-driven collection, which an idle proxy never reaches, so a burst leaves the RSS up
 * for good. Call it once start-up is done, before listening: it collects the start-up garbage at
 * once (about 40 ms). After `idleMs` without a request following traffic (and once after
 * start-up, for what components loaded on first use leave), three full collections run over the
 * next 7 s (see LATER_PASSES_MS), each incrementally, in steps between other work, so a request
 * that arrives meanwhile is not held up by one long pause; passes after a new request are skipped.
 *
 * @example
 * const idle = startIdleCollector(5000, logger);
 * server.on('request', idle.touch);
 */
export function startIdleCollector(idleMs: number, logger: Logger): IdleCollector {
  const gc = idleMs > 0 ? collector() : undefined;
  if (!gc) {
    if (idleMs > 0) logger.warn('idle garbage collection unavailable in this runtime');
    return { touch: () => {}, stop: () => {} };
  }
  collectNow(gc, logger);
  let requests = 0;
  let seenAtTick = 0;
  let owed = true; // start-up
  let running = false;
  const timer = setInterval(() => {
    if (requests !== seenAtTick) {
      // traffic during this interval: collect once it has been quiet for a whole one
      seenAtTick = requests;
      owed = true;
      return;
    }
    if (!owed || running) return;
    owed = false;
    running = true;
    // The first collection frees the garbage; the pages it empties are swept in the background
    // and only given back by a later collection, hence the second one a moment after.
    collect(gc, logger);
    const seen = requests;
    for (const [i, at] of LATER_PASSES_MS.entries())
      setTimeout(() => {
        if (i === LATER_PASSES_MS.length - 1) running = false;
        if (requests === seen) collect(gc, logger);
      }, at).unref();
  }, idleMs);
  timer.unref();
  return {
    touch: () => {
      requests++;
    },
    stop: () => clearInterval(timer),
  };
}
