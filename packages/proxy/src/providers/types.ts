import type { Operation, PromptMessage, ToolCall } from '@llmtrace/core';

/** Token usage as reported by an upstream (or estimated). */
export interface Usage {
  /** All input tokens, including cached reads and (Anthropic) cache writes. */
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Input tokens read from the provider's prompt cache (part of `promptTokens`). */
  cachedTokens?: number;
  /** Anthropic cache creation input tokens (part of `promptTokens`). */
  cacheCreationTokens?: number;
  /** Reasoning tokens (part of `completionTokens`). */
  reasoningTokens?: number;
}

/** What the pipeline understands of a request body. */
export interface ParsedRequest {
  /** Requested model; empty string when the body names none. */
  model: string;
  stream: boolean;
  /** Messages (chat/messages/responses) or the prompt as one `user` message (completions). */
  messages: PromptMessage[];
  /** The system prompt text, when the format has one (used for leak detection). */
  systemPrompt?: string;
  /** Parameters worth recording: temperature, max_tokens, top_p, tools count, … */
  params: Record<string, unknown>;
  /** `max_tokens` / `max_completion_tokens` / `max_output_tokens`, when given. */
  maxTokens?: number;
  /** Set when the stream will carry usage (e.g. OpenAI `stream_options.include_usage`). */
  streamUsageRequested?: boolean;
  /** End user id when the body carries one (OpenAI `user`, Anthropic `metadata.user_id`). */
  endUser?: string;
  /**
   * How prompt tokens are estimated when the upstream reports none: `chat` (default) adds the
   * per-message overhead of chat formats; `text` counts the raw text (completions, embeddings).
   */
  promptKind?: 'chat' | 'text';
}

/** What the pipeline understands of a response (whole body, or accumulated from a stream). */
export interface ParsedResponse {
  responseModel?: string;
  text: string;
  toolCalls: ToolCall[];
  finishReason?: string;
  usage?: Usage;
  /** Error message carried inside a 200 stream (e.g. an `error` event). */
  error?: string;
}

/** One SSE event as delivered by the parser. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Incremental parser for one response stream. */
export interface StreamParser {
  /** Feed one SSE event; returns `true` when it carried generated content (for time to first token). */
  push(event: SseEvent): boolean;
  /** Everything accumulated so far (callable at any time, including after an abort). */
  result(): ParsedResponse;
}

/**
 * One API format the proxy understands (OpenAI chat completions, Anthropic messages, …). Adding a
 * format is one module in this folder plus one line in `registry.ts`. Parsers never throw on
 * shape surprises: they record what they can.
 */
export interface ProviderFormat {
  /** Stable id, e.g. `openai.chat`. */
  id: string;
  /** `gen_ai.provider.name`, e.g. `openai`, `anthropic`. */
  provider: string;
  operation: Operation;
  /** Whether this format handles the request (path has any routing prefix already stripped). */
  match(method: string, path: string): boolean;
  parseRequest(body: unknown): ParsedRequest;
  parseResponse(body: unknown): ParsedResponse;
  createStreamParser(request: ParsedRequest): StreamParser;
}
