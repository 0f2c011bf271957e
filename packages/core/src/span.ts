/** The kind of LLM call a span records (maps to `gen_ai.operation.name`). */
export type Operation = 'chat' | 'completion' | 'embedding' | 'responses' | 'messages' | 'other';

/** Where a span's token counts came from. */
export type UsageSource = 'upstream' | 'estimated' | 'none';

/** Finding severity, lowest to highest. */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** Severities in ascending order; index = rank. */
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** Numeric rank of a severity (info = 0 … critical = 4), for threshold comparisons. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Where in a call a finding was made. Offsets are UTF-16 indices into the original text, end exclusive. */
export interface FindingLocation {
  side: 'request' | 'response';
  /** Index of the message within the request's messages (absent for plain prompts / responses). */
  messageIndex?: number;
  start: number;
  end: number;
}

/**
 * One security finding. `type` is dotted and stable (`prompt_injection`, `pii.email`,
 * `secret.aws_access_key`, `leak.system_prompt`, …).
 */
export interface Finding {
  type: string;
  severity: Severity;
  /** 0–1. */
  confidence: number;
  /** Name of the detector that produced it. */
  detector: string;
  location?: FindingLocation;
  /** Redacted excerpt around the match; never the raw secret. */
  excerpt?: string;
  message: string;
}

/** A chat message as recorded in a span (content flattened to text; non-text parts noted). */
export interface PromptMessage {
  role: string;
  content: string;
  name?: string;
  toolCallId?: string;
}

/** A tool call (agent action) made by the model. */
export interface ToolCall {
  id?: string;
  name: string;
  /** Raw arguments string as the model produced it (usually JSON). */
  arguments: string;
}

/** Span lifecycle status. */
export type SpanStatus = 'ok' | 'error' | 'cancelled' | 'blocked';

/**
 * One LLM call. Field names map onto the OpenTelemetry GenAI conventions for export
 * (`operation` → `gen_ai.operation.name`, `provider` → `gen_ai.provider.name`, `model` →
 * `gen_ai.request.model`, `promptTokens` → `gen_ai.usage.input_tokens`, …).
 */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  tenantId: string;
  agentId?: string;
  sessionId?: string;
  endUser?: string;
  operation: Operation;
  provider: string;
  /** Requested model (`gen_ai.request.model`); empty string when unknown. */
  model: string;
  responseModel?: string;
  /** HTTP method and path of the proxied request. */
  method?: string;
  path?: string;
  /** Epoch milliseconds. */
  startTime: number;
  endTime: number;
  durationMs: number;
  /** Time to first content chunk (streams only). */
  ttftMs?: number;
  stream: boolean;
  /** Upstream HTTP status, or the proxy's own status when the upstream was not reached. */
  statusCode: number;
  status: SpanStatus;
  /** Error text: upstream error body, proxy error, or parse problem. */
  error?: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  usageSource: UsageSource;
  /** USD; `undefined` when the model has no known price (never a silent 0). */
  costUsd?: number;
  /** 0 (clean) – 100 (certain attack or leak). */
  securityScore: number;
  findings: Finding[];
  /** Request messages (chat) or a single `user` message holding the prompt (completions). */
  prompt: PromptMessage[];
  /** Response text. */
  response: string;
  toolCalls: ToolCall[];
  finishReason?: string;
  /** Request parameters worth keeping (temperature, max_tokens, …). */
  params?: Record<string, unknown>;
  tags: Record<string, string>;
}

/** A trace: all spans sharing a trace id. */
export interface Trace {
  traceId: string;
  tenantId: string;
  spans: Span[];
}
