import type { Operation, PromptMessage, Span, ToolCall } from '@llmtrace/core';

/**
 * GenAI semantic-convention attribute names (OpenTelemetry GenAI conventions). Kept as literals in
 * one place because the semantic-conventions package ships them only from its unstable entry point.
 */
export const GENAI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** Older name of the provider attribute, still sent by many instrumentations. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  /** Older names of the token attributes. */
  promptTokens: 'gen_ai.usage.prompt_tokens',
  completionTokens: 'gen_ai.usage.completion_tokens',
  finishReasons: 'gen_ai.response.finish_reasons',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  conversationId: 'gen_ai.conversation.id',
  agentId: 'gen_ai.agent.id',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  temperature: 'gen_ai.request.temperature',
  maxTokens: 'gen_ai.request.max_tokens',
  topP: 'gen_ai.request.top_p',
} as const;

const TO_SEMCONV: Record<Operation, string> = {
  chat: 'chat',
  messages: 'chat',
  responses: 'chat',
  completion: 'text_completion',
  embedding: 'embeddings',
  other: 'other',
};

/** `gen_ai.operation.name` of a span's operation. */
export function semconvOperation(op: Operation): string {
  return TO_SEMCONV[op];
}

/** Our operation for a `gen_ai.operation.name` value (unknown names → `other`). */
export function operationFromSemconv(name: string | undefined): Operation {
  switch (name) {
    case 'chat':
    case 'generate_content':
      return 'chat';
    case 'text_completion':
      return 'completion';
    case 'embeddings':
      return 'embedding';
    default:
      return 'other';
  }
}

/** A message in the `gen_ai.input.messages` / `gen_ai.output.messages` JSON shape. */
export interface SemconvMessage {
  role: string;
  parts: Array<
    | { type: 'text'; content: string }
    | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
    | { type: 'tool_call_response'; id?: string; response?: unknown }
  >;
  finish_reason?: string;
}

/** A span's prompt as `gen_ai.input.messages`. */
export function toInputMessages(prompt: readonly PromptMessage[]): SemconvMessage[] {
  return prompt.map((m) =>
    m.role === 'tool'
      ? { role: 'tool', parts: [{ type: 'tool_call_response', id: m.toolCallId, response: m.content }] }
      : { role: m.role, parts: [{ type: 'text', content: m.content }] },
  );
}

/** A span's response and tool calls as `gen_ai.output.messages`. */
export function toOutputMessages(
  span: Pick<Span, 'response' | 'toolCalls' | 'finishReason'>,
): SemconvMessage[] {
  const parts: SemconvMessage['parts'] = [];
  if (span.response) parts.push({ type: 'text', content: span.response });
  for (const t of span.toolCalls)
    parts.push({ type: 'tool_call', id: t.id, name: t.name, arguments: t.arguments });
  if (parts.length === 0) return [];
  return [{ role: 'assistant', parts, ...(span.finishReason ? { finish_reason: span.finishReason } : {}) }];
}

function partText(part: unknown): string | undefined {
  if (typeof part === 'string') return part;
  if (part && typeof part === 'object') {
    const p = part as Record<string, unknown>;
    if (typeof p.content === 'string') return p.content;
    if (typeof p.text === 'string') return p.text;
  }
  return undefined;
}

/**
 * Parse `gen_ai.input.messages`-style JSON (or an older `[{role, content}]` array) into prompt
 * messages and tool calls. Anything unparseable yields nothing rather than throwing.
 */
export function fromSemconvMessages(value: unknown): { messages: PromptMessage[]; toolCalls: ToolCall[] } {
  let raw = value;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return { messages: [{ role: 'user', content: raw as string }], toolCalls: [] };
    }
  }
  const messages: PromptMessage[] = [];
  const toolCalls: ToolCall[] = [];
  if (!Array.isArray(raw)) return { messages, toolCalls };
  for (const m of raw) {
    if (!m || typeof m !== 'object') continue;
    const msg = m as Record<string, unknown>;
    const role = typeof msg.role === 'string' ? msg.role : 'user';
    const texts: string[] = [];
    if (Array.isArray(msg.parts)) {
      for (const part of msg.parts) {
        const p = part as Record<string, unknown>;
        if (p?.type === 'tool_call' && typeof p.name === 'string') {
          const args = typeof p.arguments === 'string' ? p.arguments : JSON.stringify(p.arguments ?? {});
          toolCalls.push({
            ...(typeof p.id === 'string' ? { id: p.id } : {}),
            name: p.name,
            arguments: args,
          });
        } else if (p?.type === 'tool_call_response') {
          texts.push(typeof p.response === 'string' ? p.response : JSON.stringify(p.response));
        } else {
          const t = partText(part);
          if (t !== undefined) texts.push(t);
        }
      }
    } else {
      const t =
        partText(msg) ??
        (Array.isArray(msg.content) ? msg.content.map(partText).filter(Boolean).join('\n') : undefined);
      if (t !== undefined) texts.push(t);
    }
    messages.push({ role, content: texts.join('\n') });
  }
  return { messages, toolCalls };
}
