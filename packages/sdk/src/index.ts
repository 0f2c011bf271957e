export type { BatchExporter, BatchOptions } from './exporters/batch-queue.js';
export { createBatchExporter } from './exporters/batch-queue.js';
export type { HttpExporterOptions } from './exporters/http.js';
export { createHttpExporter, ingestUrl } from './exporters/http.js';
export type { MemoryExporter } from './exporters/memory.js';
export { createMemoryExporter } from './exporters/memory.js';
export { createStoreExporter } from './exporters/store.js';
export type { InstrumentOptions, OpenAILike } from './instrument/openai.js';
export { instrument } from './instrument/openai.js';
export { contentToText, toPromptMessages } from './messages.js';
export { normalizeOperation } from './operation.js';
export type { SpanHandle } from './span.js';
export type { Tracer } from './tracer.js';
export { configure, createTracer, getTracer } from './tracer.js';
export type {
  ExporterStats,
  FindingInput,
  LocalScanner,
  MessageInput,
  SpanExporter,
  SpanPatch,
  StartSpanOptions,
  TokenCounts,
  TracerOptions,
} from './types.js';
