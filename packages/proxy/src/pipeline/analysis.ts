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
 * Longest a finished call waits before its span is built on this thread; calls finishing
 * meanwhile are built in the same batch. Right after a response the client is about to send its
 * next request and other answers are arriving: building the span then (as `setImmediate` did)
 * held those up (added p50 at 1 concurrent call 0.6–0.8 ms instead of 1.4–1.5 against a 5 ms
 * wait). Larger batches also cost less CPU per span: the scanner's code and tables stay in the
 * CPU's caches from one span to the next, where a span built alone, between requests, finds them
 * evicted. At 10 concurrent calls a 5 ms wait made batches of two or three spans; this delay, or
 * {@link ANALYSIS_BATCH} spans, with the slices below, took the proxy's CPU per call down by 1–24%
 * (11% on average) in four interleaved runs against the 5 ms wait (`bench/proxy/ab.mjs`); the
 * added latency at that concurrency moved by less than the runs' noise.
 */
const ANALYSIS_DELAY_MS = 100;

/**
 * Calls waiting for their span that start a batch at once (on the next turn of the event loop),
 * without waiting out {@link ANALYSIS_DELAY_MS}: under heavy traffic finished calls are not held
 * in memory for long, and a batch stays short.
 */
const ANALYSIS_BATCH = 32;

/**
 * Longest a batch runs before it lets pending I/O through (and goes on in `setImmediate`). The
 * shorter the slice, the less an answer arriving meanwhile waits; since calls finishing during a
 * batch wait for the next one, short slices cost no more CPU than long ones. At 64 concurrent
 * calls (interleaved runs) the proxy added 1.5 ms p50 and 9.5 ms p99 with 0.2 ms slices, 2.6 and
 * 11.0 with 1 ms, and served 4% more calls in the same time, at the same CPU per call. A slice
 * builds at least one span, however long it takes.
 */
const ANALYSIS_SLICE_MS = 0.2;

/**
 * Analysis on this thread, in batches: {@link ANALYSIS_BATCH} finished calls, or those that ended
 * within {@link ANALYSIS_DELAY_MS} of the first, whichever comes first. Calls that finish while a
 * batch runs wait for the next one: joining the running batch, each would be built right after its
 * response, alone and with cold caches, which is what the batches are there to avoid.
 */
export function createInlineAnalyzer(deps: AnalysisDeps): CallAnalyzer {
  const pending = createInFlight();
  type Job = (() => void) | undefined;
  // Calls waiting for the next batch, oldest first.
  let queue: Job[] = [];
  // The batch being built, in slices; `next` is its first call not yet built.
  let batch: Job[] = [];
  let next = 0;
  let running = false;
  // The next batch's start: a timer while it waits out the delay, or queued on the event loop.
  let timer: NodeJS.Timeout | undefined;
  let startQueued = false;

  const schedule = (): void => {
    if (running || startQueued || queue.length === 0) return;
    if (queue.length >= ANALYSIS_BATCH) {
      // A full batch: no reason to wait; not on this tick either, which is a response's.
      clearTimeout(timer);
      timer = undefined;
      startQueued = true;
      setImmediate(start);
    } else if (timer === undefined) {
      timer = setTimeout(start, ANALYSIS_DELAY_MS);
    }
  };
  const runSlice = (): void => {
    const until = performance.now() + ANALYSIS_SLICE_MS;
    while (next < batch.length) {
      const job = batch[next] as () => void;
      batch[next++] = undefined;
      try {
        job();
      } catch (err) {
        // `done` callbacks should not throw; one that does must not cost the rest of the batch.
        deps.logger.error('span delivery threw', { err: String(err) });
      }
      if (next < batch.length && performance.now() >= until) {
        setImmediate(runSlice);
        return;
      }
    }
    batch = [];
    next = 0;
    running = false;
    schedule();
  };
  function start(): void {
    clearTimeout(timer);
    timer = undefined;
    startQueued = false;
    running = true;
    batch = queue;
    queue = [];
    runSlice();
  }
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
      schedule();
    },
    idle: pending.idle,
    close: pending.idle,
  };
}

/**
 * About how much text a call's span is built from, in bytes or characters: the request and
 * response bodies, or their parsed texts where those were read on the request path (streams).
 * Building a span costs about this times a constant: the scan, the token estimate and the row.
 */
export function callSize(rec: CallRecord): number {
  let size = rec.requestBody?.byteLength ?? 0;
  if (rec.request) {
    const { messages, systemPrompt } = rec.request;
    for (const m of messages) size += m.content.length;
    // Formats with a separate system prompt (Anthropic `system`) do not repeat it as a message.
    if (systemPrompt && !messages.some((m) => m.role === 'system' || m.role === 'developer'))
      size += systemPrompt.length;
  }
  size += rec.responseBody?.bytes.byteLength ?? 0;
  if (rec.response) {
    size += rec.response.text.length;
    for (const t of rec.response.toolCalls) size += t.arguments.length;
  }
  return size;
}

/** Options for {@link createSplitAnalyzer}. */
export interface SplitAnalyzerOptions {
  /** Analyses calls of at most {@link largerThan} ({@link callSize}). */
  small: CallAnalyzer;
  /** Creates the analyzer of larger calls, at the first one. */
  large: () => CallAnalyzer;
  largerThan: number;
}

/**
 * Large calls to one analyzer (created at the first), the rest to another: a worker thread for a
 * 256 KB prompt, whose span takes tens of milliseconds to build and would hold up the event loop
 * for all of them (a slice of the inline analyzer builds at least one span), and the serving thread
 * for ordinary calls, whose spans cost less there than the copies to and from a worker.
 */
export function createSplitAnalyzer(options: SplitAnalyzerOptions): CallAnalyzer {
  const { small, largerThan } = options;
  let large: CallAnalyzer | undefined;
  return {
    submit(rec, done) {
      if (callSize(rec) <= largerThan) small.submit(rec, done);
      else {
        large ??= options.large();
        large.submit(rec, done);
      }
    },
    async idle() {
      await large?.idle();
      await small.idle();
    },
    async close() {
      await large?.close();
      await small.close();
    },
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
  /**
   * Text ({@link callSize}) in the worker at once before new calls are analysed by `fallback`
   * (default 32 MiB); one call is always let in. When large calls arrive faster than the worker
   * builds their spans, the backlog would otherwise hold each one's text, twice (here, to fall
   * back on, and in the worker), without bound. Built on this thread instead, they slow the
   * traffic down to what the machine can analyse.
   */
  maxPendingBytes?: number;
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
  const maxPendingBytes = options.maxPendingBytes ?? 32 * 1024 * 1024;
  const pending = new Map<
    number,
    { rec: CallRecord; size: number; done: (span: Span | undefined) => void }
  >();
  let pendingBytes = 0;
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
    pendingBytes -= p.size;
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
      pendingBytes = 0;
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
      const size = callSize(rec);
      if (
        !w ||
        closed ||
        pending.size >= maxPending ||
        (pending.size > 0 && pendingBytes + size > maxPendingBytes)
      ) {
        fallback.submit(rec, done);
        return;
      }
      const id = nextId++;
      pending.set(id, { rec, size, done });
      pendingBytes += size;
      inWorker.enter();
      try {
        w.postMessage({ id, rec: toWire(rec) } satisfies WireRequest);
      } catch (err) {
        // Not cloneable (should not happen: records are plain data): analyse it here.
        pending.delete(id);
        pendingBytes -= size;
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
