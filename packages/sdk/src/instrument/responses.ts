import type { PromptMessage, ToolCall } from '@llmtrace/core';
import { contentToText } from '../messages.js';
import type { SpanHandle } from '../span.js';
import { type CallHooks, field, num, pickParams, str } from './types.js';

function promptOf(body: Record<string, unknown>): PromptMessage[] {
  const out: PromptMessage[] = [];
  if (typeof body.instructions === 'string') out.push({ role: 'system', content: body.instructions });
  const input = body.input;
  if (typeof input === 'string') out.push({ role: 'user', content: input });
  else if (Array.isArray(input)) {
    for (const item of input) {
      const type = str(field(item, 'type'));
      if (type === 'function_call_output') {
        out.push({
          role: 'tool',
          content: contentToText(field(item, 'output')),
          toolCallId: str(field(item, 'call_id')),
        });
      } else if (type === 'function_call') {
        out.push({
          role: 'assistant',
          content: `${str(field(item, 'name')) ?? 'tool'}(${str(field(item, 'arguments')) ?? ''})`,
        });
      } else {
        out.push({
          role: str(field(item, 'role')) ?? 'user',
          content: contentToText(field(item, 'content')),
        });
      }
    }
  }
  return out;
}

/** Record a full Responses API `response` object (non-streaming result or the final stream event). */
function applyResponse(span: SpanHandle, response: unknown, capture: boolean): void {
  span.update({ responseModel: str(field(response, 'model')) });
  const status = str(field(response, 'status'));
  if (status && status !== 'completed') span.update({ finishReason: status });
  else if (status) span.update({ finishReason: 'stop' });
  const output = field(response, 'output');
  const texts: string[] = [];
  const tools: ToolCall[] = [];
  if (Array.isArray(output)) {
    for (const item of output) {
      const type = str(field(item, 'type'));
      if (type === 'function_call') {
        tools.push({
          id: str(field(item, 'call_id')),
          name: str(field(item, 'name')) ?? 'tool',
          arguments: str(field(item, 'arguments')) ?? '',
        });
      } else if (type === 'message') {
        const content = field(item, 'content');
        if (Array.isArray(content)) {
          for (const part of content)
            if (str(field(part, 'type')) === 'output_text') texts.push(str(field(part, 'text')) ?? '');
        }
      }
    }
  }
  const text = str(field(response, 'output_text')) ?? texts.join('');
  span.setResponse(capture ? text : '', tools);
  const usage = field(response, 'usage');
  const input = num(field(usage, 'input_tokens'));
  if (input !== undefined) {
    span.setTokenCounts({
      promptTokens: input,
      completionTokens: num(field(usage, 'output_tokens')) ?? 0,
      totalTokens: num(field(usage, 'total_tokens')),
      cachedTokens: num(field(field(usage, 'input_tokens_details'), 'cached_tokens')),
      reasoningTokens: num(field(field(usage, 'output_tokens_details'), 'reasoning_tokens')),
    });
  }
  const error = field(response, 'error');
  if (error) span.setError(str(field(error, 'message')) ?? 'response failed');
}

/** `responses.create`: input items in, output items (or typed stream events) out. */
export const responsesHooks: CallHooks = {
  operation: 'responses',
  request(span, body, capture) {
    span.update({ model: str(body.model) ?? '', stream: body.stream === true, params: pickParams(body) });
    if (capture) span.setPrompt(promptOf(body));
  },
  response: applyResponse,
  stream(span, capture) {
    let text = '';
    let final = false;
    return {
      chunk(event) {
        const type = str(field(event, 'type'));
        if (type === 'response.output_text.delta') {
          const delta = str(field(event, 'delta')) ?? '';
          if (delta !== '') span.markFirstToken();
          text += delta;
        } else if (type === 'response.function_call_arguments.delta') {
          span.markFirstToken();
        } else if (
          type === 'response.completed' ||
          type === 'response.incomplete' ||
          type === 'response.failed'
        ) {
          final = true;
          applyResponse(span, field(event, 'response'), capture);
        }
      },
      finish() {
        if (!final) span.setResponse(capture ? text : '');
      },
    };
  },
};
