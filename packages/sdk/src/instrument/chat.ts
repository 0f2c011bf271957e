import type { ToolCall } from '@llmtrace/core';
import type { SpanHandle } from '../span.js';
import type { MessageInput } from '../types.js';
import { type CallHooks, field, num, pickParams, str } from './types.js';

/** Apply an OpenAI `usage` object (chat/completions/embeddings flavour) to a span. */
export function applyChatUsage(span: SpanHandle, usage: unknown): void {
  const prompt = num(field(usage, 'prompt_tokens'));
  if (prompt === undefined) return;
  span.setTokenCounts({
    promptTokens: prompt,
    completionTokens: num(field(usage, 'completion_tokens')) ?? 0,
    totalTokens: num(field(usage, 'total_tokens')),
    cachedTokens: num(field(field(usage, 'prompt_tokens_details'), 'cached_tokens')),
    reasoningTokens: num(field(field(usage, 'completion_tokens_details'), 'reasoning_tokens')),
  });
}

function toolCallsOf(message: unknown): ToolCall[] {
  const calls = field(message, 'tool_calls');
  if (!Array.isArray(calls)) return [];
  return calls.map((c) => ({
    id: str(field(c, 'id')),
    name: str(field(field(c, 'function'), 'name')) ?? str(field(c, 'type')) ?? 'tool',
    arguments: str(field(field(c, 'function'), 'arguments')) ?? '',
  }));
}

/** `chat.completions.create`: messages in, choices (or chunks) out. */
export const chatHooks: CallHooks = {
  operation: 'chat',
  request(span, body, capture) {
    span.update({ model: str(body.model) ?? '', stream: body.stream === true, params: pickParams(body) });
    if (capture && Array.isArray(body.messages)) span.setPrompt(body.messages as MessageInput[]);
  },
  response(span, value, capture) {
    const choice = (field(value, 'choices') as unknown[] | undefined)?.[0];
    const message = field(choice, 'message');
    span.update({
      responseModel: str(field(value, 'model')),
      finishReason: str(field(choice, 'finish_reason')),
    });
    const text = str(field(message, 'content')) ?? str(field(message, 'refusal')) ?? '';
    span.setResponse(capture ? text : '', toolCallsOf(message));
    applyChatUsage(span, field(value, 'usage'));
  },
  stream(span, capture) {
    let text = '';
    const calls = new Map<number, { id?: string; name: string; arguments: string }>();
    return {
      chunk(chunk) {
        const model = str(field(chunk, 'model'));
        if (model) span.update({ responseModel: model });
        applyChatUsage(span, field(chunk, 'usage'));
        const choice = (field(chunk, 'choices') as unknown[] | undefined)?.[0];
        if (choice === undefined) return;
        const finish = str(field(choice, 'finish_reason'));
        if (finish) span.update({ finishReason: finish });
        const delta = field(choice, 'delta');
        const content = str(field(delta, 'content')) ?? str(field(delta, 'refusal'));
        const toolDeltas = field(delta, 'tool_calls');
        if (
          (content !== undefined && content !== '') ||
          (Array.isArray(toolDeltas) && toolDeltas.length > 0)
        ) {
          span.markFirstToken();
        }
        if (content) text += content;
        if (Array.isArray(toolDeltas)) {
          for (const d of toolDeltas) {
            const index = num(field(d, 'index')) ?? 0;
            const call = calls.get(index) ?? { name: '', arguments: '' };
            call.id ??= str(field(d, 'id'));
            call.name += str(field(field(d, 'function'), 'name')) ?? '';
            call.arguments += str(field(field(d, 'function'), 'arguments')) ?? '';
            calls.set(index, call);
          }
        }
      },
      finish() {
        span.setResponse(
          capture ? text : '',
          [...calls.values()].map((c) => ({ ...c, name: c.name || 'tool' })),
        );
      },
    };
  },
};

/** `embeddings.create`: inputs in, vectors (not recorded) and usage out. */
export const embeddingHooks: CallHooks = {
  operation: 'embedding',
  request(span, body, capture) {
    span.update({ model: str(body.model) ?? '', params: pickParams(body) });
    if (!capture) return;
    const input = body.input;
    const items = Array.isArray(input) && input.every((i) => typeof i === 'string') ? input : [input];
    span.setPrompt(
      items.map((i) => ({
        role: 'user',
        content: typeof i === 'string' ? i : `[${Array.isArray(i) ? i.length : 0} tokens]`,
      })),
    );
  },
  response(span, value) {
    span.update({ responseModel: str(field(value, 'model')) });
    const data = field(value, 'data');
    if (Array.isArray(data)) span.setTag('embedding.count', data.length);
    applyChatUsage(span, field(value, 'usage'));
  },
};
