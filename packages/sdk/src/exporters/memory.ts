import type { Span } from '@llmtrace/core';
import type { SpanExporter } from '../types.js';

/** An exporter that keeps spans in an array: for tests and for inspecting what would be sent. */
export interface MemoryExporter extends SpanExporter {
  readonly spans: Span[];
  /** Forget the recorded spans. */
  clear(): void;
}

/**
 * Keep every exported span in memory (`exporter.spans`).
 *
 * @example
 * const exporter = createMemoryExporter();
 * const tracer = createTracer({ exporter });
 */
export function createMemoryExporter(): MemoryExporter {
  const spans: Span[] = [];
  let stopped = false;
  return {
    spans,
    export(span) {
      if (!stopped) spans.push(span);
    },
    async flush() {},
    async shutdown() {
      stopped = true;
    },
    clear() {
      spans.length = 0;
    },
  };
}
