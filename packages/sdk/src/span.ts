import {
  type Finding,
  newSpanId,
  newTraceId,
  type PromptMessage,
  type Span,
  type SpanStatus,
  type ToolCall,
} from '@llmtrace/core';
import { toPromptMessages } from './messages.js';
import { normalizeOperation } from './operation.js';
import type { FindingInput, MessageInput, SpanPatch, StartSpanOptions, TokenCounts } from './types.js';

// Same per-severity risk the `@llmtrace/security` scorer uses, so an SDK-reported finding weighs
// like a detector's (kept here so the SDK does not load the security package just for a table).
const SEVERITY_RISK: Readonly<Record<Finding['severity'], number>> = {
  info: 0.02,
  low: 0.12,
  medium: 0.45,
  high: 0.8,
  critical: 0.97,
};

/** A span being recorded. Setters return the span so calls chain; after `end()` they do nothing. */
export interface SpanHandle {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** Whether `end()` was called. */
  readonly ended: boolean;
  /** The prompt: a string (one `user` message) or chat messages (content parts are flattened to text). */
  setPrompt(prompt: string | readonly MessageInput[]): SpanHandle;
  /** The response text, and the tool calls the model made. */
  setResponse(text: string, toolCalls?: readonly ToolCall[]): SpanHandle;
  /** Token counts; marks `usageSource` as `upstream` unless `source` says otherwise. */
  setTokenCounts(counts: TokenCounts, source?: 'upstream' | 'estimated'): SpanHandle;
  /** Add a security finding; the span's score rises to at least the finding's risk. */
  addFinding(finding: FindingInput): SpanHandle;
  /** Set a tag (values are stored as strings). */
  setTag(key: string, value: string | number | boolean): SpanHandle;
  /** Mark the span failed; takes `status` from API errors that carry one. */
  setError(error: unknown, statusCode?: number): SpanHandle;
  /** Set the status explicitly (`cancelled` for an aborted stream, `blocked` for a refused call). */
  setStatus(status: SpanStatus): SpanHandle;
  /** Record time to first token now (first call wins). */
  markFirstToken(): SpanHandle;
  /** Set several fields at once (model, responseModel, finishReason, costUsd, params, …). */
  update(patch: SpanPatch): SpanHandle;
  /** Start a child span in the same trace (an agent step, a tool call, a retrieval). */
  startChild(
    operation: string,
    provider?: string,
    model?: string,
    options?: Omit<StartSpanOptions, 'parent'>,
  ): SpanHandle;
  /** Finish the span and hand it to the exporter. Calling it again does nothing. */
  end(): void;
  /** The span in the core `Span` shape (what the ingest endpoint accepts). */
  toJSON(): Span;
}

/** What a span needs from its tracer. */
export interface SpanOwner {
  tenantId: string;
  agentId?: string;
  sessionId?: string;
  onEnd(span: Span): void;
  startSpan(operation: string, provider?: string, model?: string, options?: StartSpanOptions): SpanHandle;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** A deep copy that cannot throw: `params` set by the caller may hold values structuredClone refuses. */
function copySpan(span: Span): Span {
  try {
    return structuredClone(span);
  } catch {
    return JSON.parse(
      JSON.stringify(span, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    ) as Span;
  }
}

/** Create a span handle. Used by the tracer; call `tracer.startSpan` instead. */
export function createSpanHandle(
  owner: SpanOwner,
  operationName: string,
  provider: string,
  model: string,
  options: StartSpanOptions & { parent?: { traceId: string; spanId: string } | null } = {},
): SpanHandle {
  const { operation, customName } = normalizeOperation(operationName);
  const startedAt = performance.now();
  const parent = options.parent ?? undefined;
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.tags ?? {})) tags[k] = String(v);
  if (customName !== undefined) tags['operation.name'] = customName;

  const data: Span = {
    traceId: parent?.traceId ?? newTraceId(),
    spanId: newSpanId(),
    parentSpanId: parent?.spanId,
    tenantId: owner.tenantId,
    agentId: options.agentId ?? owner.agentId,
    sessionId: options.sessionId ?? owner.sessionId,
    endUser: options.endUser,
    operation,
    provider,
    model,
    startTime: options.startTime ?? Date.now(),
    endTime: 0,
    durationMs: 0,
    stream: options.stream ?? false,
    statusCode: 200,
    status: 'ok',
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    usageSource: 'none',
    securityScore: 0,
    findings: [],
    prompt: [] as PromptMessage[],
    response: '',
    toolCalls: [],
    tags,
  };
  let ended = false;

  const snapshot = (): Span => {
    const json = copySpan(data);
    if (!ended) {
      json.durationMs = round(performance.now() - startedAt);
      json.endTime = json.startTime + Math.round(json.durationMs);
    }
    // Drop undefined optionals so the JSON is what a reader of the wire format expects.
    for (const key of Object.keys(json) as (keyof Span)[]) if (json[key] === undefined) delete json[key];
    return json;
  };

  const handle: SpanHandle = {
    get traceId() {
      return data.traceId;
    },
    get spanId() {
      return data.spanId;
    },
    get parentSpanId() {
      return data.parentSpanId;
    },
    get ended() {
      return ended;
    },
    setPrompt(prompt) {
      if (!ended) data.prompt = toPromptMessages(prompt);
      return handle;
    },
    setResponse(text, toolCalls) {
      if (ended) return handle;
      data.response = text;
      if (toolCalls) data.toolCalls = toolCalls.map((t) => ({ ...t }));
      return handle;
    },
    setTokenCounts(counts, source = 'upstream') {
      if (ended) return handle;
      data.promptTokens = counts.promptTokens;
      data.completionTokens = counts.completionTokens;
      data.totalTokens = counts.totalTokens ?? counts.promptTokens + counts.completionTokens;
      if (counts.cachedTokens !== undefined) data.cachedTokens = counts.cachedTokens;
      if (counts.reasoningTokens !== undefined) data.reasoningTokens = counts.reasoningTokens;
      data.usageSource = source;
      return handle;
    },
    addFinding(input) {
      if (ended) return handle;
      const finding: Finding = {
        ...input,
        confidence: input.confidence ?? 1,
        detector: input.detector ?? 'sdk',
        message: input.message ?? input.type,
      };
      data.findings.push(finding);
      const risk = Math.round(
        SEVERITY_RISK[finding.severity] * Math.min(1, Math.max(0, finding.confidence)) * 100,
      );
      data.securityScore = Math.max(data.securityScore, risk);
      return handle;
    },
    setTag(key, value) {
      if (!ended) data.tags[key] = String(value);
      return handle;
    },
    setError(error, statusCode) {
      if (ended) return handle;
      data.status = 'error';
      data.error = error instanceof Error ? error.message : String(error);
      const fromError = (error as { status?: unknown } | null)?.status;
      data.statusCode = statusCode ?? (typeof fromError === 'number' ? fromError : 500);
      return handle;
    },
    setStatus(status) {
      if (!ended) data.status = status;
      return handle;
    },
    markFirstToken() {
      if (!ended && data.ttftMs === undefined) data.ttftMs = round(performance.now() - startedAt);
      return handle;
    },
    update(patch) {
      if (ended) return handle;
      for (const [k, v] of Object.entries(patch))
        if (v !== undefined) (data as unknown as Record<string, unknown>)[k] = v;
      return handle;
    },
    startChild(op, childProvider = provider, childModel = '', childOptions = {}) {
      return owner.startSpan(op, childProvider, childModel, { ...childOptions, parent: handle });
    },
    end() {
      if (ended) return;
      data.durationMs = round(performance.now() - startedAt);
      data.endTime = data.startTime + Math.round(data.durationMs);
      ended = true;
      owner.onEnd(snapshot());
    },
    toJSON: snapshot,
  };
  return handle;
}
