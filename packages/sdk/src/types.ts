import type { Finding, Logger, PromptMessage, Span, ToolCall } from '@llmtrace/core';

/**
 * Where finished spans go. `export` must return at once and never throw; batching, retries and
 * persistence happen in the background. {@link SpanExporter.flush} waits for everything queued.
 */
export interface SpanExporter {
  export(span: Span): void;
  /** Resolve once every span handed to `export` so far was sent (or given up on). */
  flush(): Promise<void>;
  /** Flush, then stop: later spans are dropped. */
  shutdown(): Promise<void>;
}

/** Counters an exporter keeps (what `tracer.stats()` reports). */
export interface ExporterStats {
  /** Spans delivered. */
  exported: number;
  /** Spans refused because the queue was full or the exporter was shut down. */
  dropped: number;
  /** Spans given up on after retries (or refused by the receiver). */
  failed: number;
  /** Spans waiting to be sent. */
  queued: number;
}

/** What the SDK needs of a security scanner; `createScanner()` from `@llmtrace/security` fits. */
export interface LocalScanner {
  scanMessages(messages: readonly PromptMessage[]): { findings: Finding[]; score: number };
  scanResponse(text: string, context?: { systemPrompt?: string }): { findings: Finding[]; score: number };
}

/** Token counts reported for a call. `totalTokens` defaults to the sum. */
export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  totalTokens?: number;
  cachedTokens?: number;
  reasoningTokens?: number;
}

/** A finding as the application reports it; `confidence` defaults to 1, `detector` to `sdk`, `message` to the type. */
export type FindingInput = Pick<Finding, 'type' | 'severity'> & Partial<Omit<Finding, 'type' | 'severity'>>;

/** A chat message as accepted by `setPrompt`: content may be a string or OpenAI-style content parts. */
export interface MessageInput {
  role: string;
  content?: unknown;
  name?: string;
  toolCallId?: string;
  tool_call_id?: string;
}

/** Span fields that can be set in one go with `span.update(…)`. */
export interface SpanPatch {
  model?: string;
  responseModel?: string;
  agentId?: string;
  sessionId?: string;
  endUser?: string;
  stream?: boolean;
  statusCode?: number;
  finishReason?: string;
  costUsd?: number;
  securityScore?: number;
  params?: Record<string, unknown>;
  toolCalls?: ToolCall[];
  ttftMs?: number;
}

/** Options of `tracer.startSpan`. */
export interface StartSpanOptions {
  /** Parent span (or its ids); default: the active span (see `tracer.withSpan`), else a new trace. */
  parent?: { traceId: string; spanId: string } | null;
  /** Start time, epoch ms (default now). */
  startTime?: number;
  agentId?: string;
  sessionId?: string;
  endUser?: string;
  stream?: boolean;
  tags?: Record<string, string | number | boolean>;
}

/** Options of `configure` / `createTracer`. Every field is optional. */
export interface TracerOptions {
  /**
   * Base URL of a running LLMTrace, e.g. `http://localhost:8080`: spans are posted, batched, to
   * `<endpoint>/api/v1/spans`. Ignored when `exporter` is given.
   */
  endpoint?: string;
  /** Sent as `Authorization: Bearer <apiKey>` to the ingest endpoint (the proxy derives the tenant from it). */
  apiKey?: string;
  /** Sent as `X-LLMTrace-Tenant-ID`; also written into `toJSON()` (default `default`). */
  tenantId?: string;
  /** Default agent id for every span. */
  agentId?: string;
  /** Default session id for every span. */
  sessionId?: string;
  /** Scan each finished span locally with `@llmtrace/security` before export (default false). */
  enableSecurity?: boolean;
  /** Scanner to use with `enableSecurity` instead of loading `@llmtrace/security`. */
  scanner?: LocalScanner;
  /** Where spans go; default: an HTTP exporter to `endpoint`, or nowhere when neither is set. */
  exporter?: SpanExporter;
  logger?: Logger;
}
