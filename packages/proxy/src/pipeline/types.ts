import type { Finding, Logger, PromptMessage, Span, SpanSink } from '@llmtrace/core';
import type { Usage } from '../providers/types.js';

/** A scan outcome as the gateway consumes it (the `@llmtrace/security` scanner satisfies this). */
export interface ScanOutcome {
  findings: Finding[];
  score: number;
  verdict?: 'allow' | 'flag' | 'block';
}

/** What the gateway needs of a security scanner. `createScanner()` from `@llmtrace/security` fits. */
export interface SpanScanner {
  scanMessages(messages: readonly PromptMessage[]): ScanOutcome;
  scanResponse(text: string, context?: { systemPrompt?: string }): ScanOutcome;
}

/** What the gateway needs of a price table. `createPricing()` fits. */
export interface CostModel {
  cost(model: string, usage: Usage): number | undefined;
}

/** Hooks into the finished-span path; each is called off the request path and may not throw. */
export type SpanListener = (span: Span) => void;

/** Shared dependencies of the pipeline. */
export interface PipelineDeps {
  sink: SpanSink;
  scanner?: SpanScanner;
  pricing?: CostModel;
  logger: Logger;
  onSpan: SpanListener[];
  /** Replace PII and secrets in spans before they are stored or handed to listeners. */
  redactStored?: boolean;
}
