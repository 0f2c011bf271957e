import type { MessagePort } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import type { Logger, Span } from '@llmtrace/core';
import { formats } from '../providers/registry.js';
import { analyzeCall, type CallRecord } from './finalize.js';
import { createInFlight } from './in-flight.js';
import type { PipelineDeps } from './types.js';

/**
 * Turns finished calls into spans (token estimates, cost, security scan, redaction): the part of
 * a call's cost that comes after the client has its answer. `done` gets the span, or nothing if
 * it could not be built (logged).
 */
export interface CallAnalyzer {
  submit(rec: CallRecord, done: (span: Span | undefined) => void): void;
  /** Resolves once everything submitted so far is done. */
  idle(): Promise<void>;
  /** Finish what was submitted, then release the analyzer's resources. */
  close(): Promise<void>;
}

type AnalysisDeps = Pick<PipelineDeps, 'scanner' | 'pricing' | 'logger' | 'redactStored'>;

/**
 * How long a finished call waits before its span is built on this thread; calls finishing
 * meanwhile are built in the same batch. Right after a response the client is about to send its
 * next request and other answers are arriving: building the span then (as `setImmediate` did)
 * held those up. Measured with the overhead benchmark against `setImmediate` in alternating
 * runs: added p50 at 1 concurrent call 0.6–0.8 ms instead of 1.4–1.5, and time to first chunk
 * p50 0.8 instead of 1.5 ms.
 */
const ANALYSIS_DELAY_MS = 5;

/**
 * Longest a batch runs before it lets pending I/O through (and goes on in `setImmediate`). At 64
 * concurrent calls a batch is a dozen spans: run in one go, it held the event loop for 1.4 ms at
 * the median, 3.8 ms at the 90th percentile and up to 10.5 ms (CPU profile), delaying every answer
 * and chunk that arrived meanwhile; in slices, 1.0, 1.7 and 5.3 ms (a span can take longer than a
 * slice, and slices with no I/O between them run back to back).
 */
const ANALYSIS_SLICE_MS = 1;

/** Analysis on this thread, in batches a few milliseconds after the responses ended. */
export function createInlineAnalyzer(deps: AnalysisDeps): CallAnalyzer {
  const pending = createInFlight();
  // Calls waiting for their span, oldest first; `next` is the first not yet built.
  let queue: Array<(() => void) | undefined> = [];
  let next = 0;
  let scheduled = false;
  const runBatch = (): void => {
    const until = performance.now() + ANALYSIS_SLICE_MS;
    while (next < queue.length) {
      const job = queue[next] as () => void;
      queue[next++] = undefined;
      try {
        job();
      } catch (err) {
        // `done` callbacks should not throw; one that does must not cost the rest of the batch.
        deps.logger.error('span delivery threw', { err: String(err) });
      }
      // Calls that finish meanwhile join the queue and are built in the next slices.
      if (next < queue.length && performance.now() >= until) {
        setImmediate(runBatch);
        return;
      }
    }
    queue = [];
    next = 0;
    scheduled = false;
  };
  return {
    submit(rec, done) {
      pending.enter();
      queue.push(() => {
        try {
          done(analyzeCall(rec, deps));
        } finally {
          pending.leave();
        }
      });
      if (!scheduled) {
        scheduled = true;
        setTimeout(runBatch, ANALYSIS_DELAY_MS);
      }
    },
    idle: pending.idle,
    close: pending.idle,
  };
}

/** A call record as it crosses to the analysis thread: plain data only. */
interface WireRecord extends Omit<CallRecord, 'format' | 'onFinish'> {
  formatId?: string;
}

interface WireRequest {
  id: number;
  rec: WireRecord;
}

interface WireReply {
  id: number;
  span?: Span;
}

function toWire(rec: CallRecord): WireRecord {
  const { format, onFinish: _onFinish, ...rest } = rec;
  // A captured body is a view into a larger pooled buffer: copy the view, not the pool.
  if (rest.requestBody) rest.requestBody = new Uint8Array(rest.requestBody);
  if (rest.responseBody)
    rest.responseBody = { ...rest.responseBody, bytes: new Uint8Array(rest.responseBody.bytes) };
  return format ? { ...rest, formatId: format.id } : rest;
}

function fromWire(w: WireRecord): CallRecord {
  const { formatId, ...rest } = w;
  return formatId === undefined ? rest : { ...rest, format: formats.find((f) => f.id === formatId) };
}

/**
 * The analysis side of {@link createWorkerAnalyzer}: call this in the worker with the port it
 * talks on (`parentPort`) and the scanner and prices built there.
 *
 * @example
 * serveCallAnalysis(parentPort!, { scanner: createScanner(), pricing: createPricing(), logger });
 */
export function serveCallAnalysis(port: MessagePort, deps: AnalysisDeps): void {
  port.on('message', (msg: WireRequest) => {
    const span = analyzeCall(fromWire(msg.rec), deps);
    port.postMessage({ id: msg.id, span } satisfies WireReply);
  });
}

/** Options for {@link createWorkerAnalyzer}. */
export interface WorkerAnalyzerOptions {
  /** The worker script; it calls {@link serveCallAnalysis}. */
  script: URL | string;
  /** Passed to the worker as `workerData` (its scanner and price settings). */
  workerData?: unknown;
  /** Used while the worker is down or too far behind, so no call goes unrecorded. */
  fallback: CallAnalyzer;
  /** Calls in the worker at once before new ones are analysed by `fallback` (default 10 000). */
  maxPending?: number;
  logger: Logger;
}

/**
 * Analysis on a worker thread, so scanning and estimating never hold up the event loop that
 * serves traffic. If the worker fails, its calls are analysed by `fallback` on this thread and a
 * new worker is started after a pause; nothing submitted is lost.
 */
export function createWorkerAnalyzer(options: WorkerAnalyzerOptions): CallAnalyzer {
  const { logger, fallback } = options;
  const maxPending = options.maxPending ?? 10_000;
  const pending = new Map<number, { rec: CallRecord; done: (span: Span | undefined) => void }>();
  const inWorker = createInFlight();
  let nextId = 1;
  let worker: Worker | undefined;
  let closed = false;
  let restart: NodeJS.Timeout | undefined;
  let failures = 0;
  // Idle once the worker holds nothing and the fallback has finished what it was handed.
  const idle = async (): Promise<void> => {
    await inWorker.idle();
    await fallback.idle();
  };

  const settle = (id: number, span: Span | undefined): void => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    try {
      p.done(span);
    } finally {
      inWorker.leave();
    }
  };

  const start = (): void => {
    const w = new Worker(options.script, { workerData: options.workerData });
    w.unref();
    w.on('message', (msg: WireReply) => {
      failures = 0;
      settle(msg.id, msg.span);
    });
    const fail = (why: string, err?: unknown): void => {
      if (worker !== w) return;
      worker = undefined;
      if (!closed)
        logger.error('span analysis worker stopped; analysing on the main thread', {
          why,
          err: String(err ?? ''),
        });
      // What the worker held is analysed here instead.
      const orphans = [...pending.values()];
      pending.clear();
      for (const p of orphans) {
        fallback.submit(p.rec, p.done);
        inWorker.leave();
      }
      if (!closed) {
        failures++;
        restart = setTimeout(start, Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
        restart.unref();
      }
    };
    w.on('error', (err) => fail('error', err));
    w.on('exit', (code) => fail(`exit ${code}`));
    worker = w;
  };
  start();

  return {
    submit(rec, done) {
      const w = worker;
      if (!w || closed || pending.size >= maxPending) {
        fallback.submit(rec, done);
        return;
      }
      const id = nextId++;
      pending.set(id, { rec, done });
      inWorker.enter();
      try {
        w.postMessage({ id, rec: toWire(rec) } satisfies WireRequest);
      } catch (err) {
        // Not cloneable (should not happen: records are plain data): analyse it here.
        pending.delete(id);
        inWorker.leave();
        logger.warn('call record could not be sent to the analysis worker', { err: String(err) });
        fallback.submit(rec, done);
      }
    },
    idle,
    async close() {
      await idle();
      closed = true;
      if (restart) clearTimeout(restart);
      const w = worker;
      worker = undefined;
      await w?.terminate();
      await fallback.close();
    },
  };
}
