import { AsyncLocalStorage } from 'node:async_hooks';
import { type Span, silentLogger } from '@llmtrace/core';
import { createHttpExporter } from './exporters/http.js';
import { loadSecurityScanner, scanSpan } from './security.js';
import { createSpanHandle, type SpanHandle, type SpanOwner } from './span.js';
import type { ExporterStats, LocalScanner, SpanExporter, StartSpanOptions, TracerOptions } from './types.js';

/** Records spans and hands finished ones to an exporter. */
export interface Tracer {
  readonly tenantId: string;
  /**
   * Start a span. `operation` is `chat` / `chat_completion`, `completion`, `embedding`,
   * `responses`, `messages`, or any name of your own (recorded as `other` with an
   * `operation.name` tag). Its parent is `options.parent`, else the active span.
   */
  startSpan(operation: string, provider?: string, model?: string, options?: StartSpanOptions): SpanHandle;
  /** Run `fn` with `span` as the active span: spans started inside (also by `instrument`) become its children. */
  withSpan<R>(span: SpanHandle, fn: () => R): R;
  /**
   * Start a span, run `fn` with it active, end it when `fn` settles (marking it failed if `fn`
   * throws or rejects), and return `fn`'s result. The shape of an agent step.
   */
  trace<R>(
    operation: string,
    fn: (span: SpanHandle) => R,
    options?: StartSpanOptions & { provider?: string; model?: string },
  ): R;
  /** The active span, if any. */
  activeSpan(): SpanHandle | undefined;
  /** Wait until every ended span was scanned and exported. */
  flush(): Promise<void>;
  /** Flush, then stop the exporter. */
  shutdown(): Promise<void>;
  /** Exporter counters (when the exporter keeps them) plus spans ended and still being scanned. */
  stats(): Partial<ExporterStats> & { ended: number; scanning: number };
}

const noopExporter: SpanExporter = { export() {}, async flush() {}, async shutdown() {} };

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/**
 * Create a tracer. With `endpoint`, spans are posted to a running LLMTrace; with `exporter`, they
 * go where it says (`createStoreExporter(store)`, `createMemoryExporter()`); with neither, they
 * are recorded and dropped. With `enableSecurity`, each finished span is scanned locally first.
 *
 * @example
 * const tracer = createTracer({ endpoint: 'http://localhost:8080', apiKey: 'sk-…' });
 * const span = tracer.startSpan('chat_completion', 'openai', 'gpt-4o');
 * span.setPrompt('Hello').setResponse('Hi!').setTokenCounts({ promptTokens: 5, completionTokens: 1 });
 * span.end();
 */
export function createTracer(options: TracerOptions = {}): Tracer {
  const logger = options.logger ?? silentLogger;
  const exporter =
    options.exporter ??
    (options.endpoint
      ? createHttpExporter({
          endpoint: options.endpoint,
          apiKey: options.apiKey,
          tenantId: options.tenantId,
          logger,
        })
      : noopExporter);
  const context = new AsyncLocalStorage<SpanHandle>();
  const pending = new Set<Promise<void>>();
  let scanner: Promise<LocalScanner | undefined> | undefined;
  let ended = 0;

  const scannerFor = (): Promise<LocalScanner | undefined> => {
    scanner ??= options.scanner ? Promise.resolve(options.scanner) : loadSecurityScanner(logger);
    return scanner;
  };

  const owner: SpanOwner = {
    tenantId: options.tenantId ?? 'default',
    agentId: options.agentId,
    sessionId: options.sessionId,
    onEnd(span: Span) {
      ended++;
      if (!options.enableSecurity) {
        exporter.export(span);
        return;
      }
      const job = scannerFor()
        .then((s) => exporter.export(s ? scanSpan(span, s, logger) : span))
        .catch((err) => logger.warn('llmtrace: export failed', { err: String(err) }))
        .finally(() => pending.delete(job));
      pending.add(job);
    },
    startSpan: (operation, provider, model, spanOptions) =>
      tracer.startSpan(operation, provider, model, spanOptions),
  };

  const tracer: Tracer = {
    tenantId: owner.tenantId,
    startSpan(operation, provider = 'custom', model = '', spanOptions = {}) {
      const parent = spanOptions.parent === undefined ? context.getStore() : spanOptions.parent;
      return createSpanHandle(owner, operation, provider, model, { ...spanOptions, parent });
    },
    withSpan: (span, fn) => context.run(span, fn),
    trace(operation, fn, traceOptions = {}) {
      const span = tracer.startSpan(operation, traceOptions.provider, traceOptions.model, traceOptions);
      const fail = (err: unknown): never => {
        span.setError(err);
        span.end();
        throw err;
      };
      let result: ReturnType<typeof fn>;
      try {
        result = context.run(span, () => fn(span));
      } catch (err) {
        return fail(err);
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then((v) => {
          span.end();
          return v;
        }, fail) as ReturnType<typeof fn>;
      }
      span.end();
      return result;
    },
    activeSpan: () => context.getStore(),
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
      await exporter.flush();
    },
    async shutdown() {
      await tracer.flush();
      await exporter.shutdown();
    },
    stats() {
      const extra = (exporter as { stats?: () => ExporterStats }).stats?.() ?? {};
      return { ...extra, ended, scanning: pending.size };
    },
  };
  return tracer;
}

let defaultTracer: Tracer | undefined;

/**
 * Create the process-wide tracer (what `getTracer()` and `instrument()` use by default) and
 * return it. Calling it again replaces the default; shut the old one down yourself if needed.
 *
 * @example
 * const tracer = configure({ endpoint: 'http://localhost:8080', enableSecurity: true });
 */
export function configure(options: TracerOptions = {}): Tracer {
  defaultTracer = createTracer(options);
  return defaultTracer;
}

/** The tracer set by {@link configure}; before that, a tracer that drops every span. */
export function getTracer(): Tracer {
  defaultTracer ??= createTracer();
  return defaultTracer;
}
