import type { PromptMessage, ToolCall } from '@llmtrace/core';
import {
  arr,
  describeToolCalls,
  errorMessage,
  eventJson,
  flattenContent,
  num,
  obj,
  pickParams,
  str,
  systemText,
} from './shared.js';
import type { ParsedRequest, ParsedResponse, ProviderFormat, StreamParser, Usage } from './types.js';

const PARAM_KEYS = [
  'temperature',
  'top_p',
  'max_output_tokens',
  'tool_choice',
  'parallel_tool_calls',
  'store',
  'previous_response_id',
  'truncation',
  'service_tier',
  'background',
] as const;

/** A tool call from one `output` (or `input`) item, or `undefined` for items that are not calls. */
function itemToolCall(item: Record<string, unknown>): ToolCall | undefined {
  const type = str(item.type) ?? '';
  const id = str(item.call_id) ?? str(item.id);
  if (type === 'function_call' || type === 'mcp_call') {
    const name = str(item.name);
    return name ? { id, name, arguments: str(item.arguments) ?? '' } : undefined;
  }
  if (type === 'custom_tool_call') {
    const name = str(item.name);
    return name ? { id, name, arguments: str(item.input) ?? '' } : undefined;
  }
  // Built-in tools (web_search_call, file_search_call, computer_call, code_interpreter_call, …)
  // are agent actions too; record what they were asked to do.
  if (type.endsWith('_call')) {
    const args = item.action ?? item.queries ?? item.code ?? item.arguments;
    return {
      id,
      name: type.slice(0, -'_call'.length),
      arguments: args === undefined ? '' : typeof args === 'string' ? args : JSON.stringify(args),
    };
  }
  return undefined;
}

/** Parse a Responses API request: `instructions` and `input` (a string or typed items). */
export function parseResponsesRequest(body: unknown): ParsedRequest {
  const b = obj(body);
  const messages: PromptMessage[] = [];
  const instructions = str(b.instructions);
  if (instructions) messages.push({ role: 'system', content: instructions });
  if (typeof b.input === 'string') messages.push({ role: 'user', content: b.input });
  for (const raw of arr(b.input)) {
    const item = obj(raw);
    const type = str(item.type);
    if (type === undefined || type === 'message') {
      messages.push({ role: str(item.role) ?? 'user', content: flattenContent(item.content) });
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const output = typeof item.output === 'string' ? item.output : flattenContent(item.output);
      const msg: PromptMessage = { role: 'tool', content: output };
      const callId = str(item.call_id);
      if (callId) msg.toolCallId = callId;
      messages.push(msg);
    } else {
      const call = itemToolCall(item);
      if (call) messages.push({ role: 'assistant', content: describeToolCalls([call]) });
      // Reasoning items and item references carry nothing to analyse.
    }
  }
  const params = pickParams(b, PARAM_KEYS);
  const tools = arr(b.tools).length;
  if (tools > 0) params.tools = tools;
  const effort = str(obj(b.reasoning).effort);
  if (effort) params.reasoning_effort = effort;
  const format = str(obj(obj(b.text).format).type);
  if (format) params.text_format = format;
  const stream = b.stream === true;
  return {
    model: str(b.model) ?? '',
    stream,
    messages,
    systemPrompt: systemText(messages),
    params,
    maxTokens: num(b.max_output_tokens),
    // A Responses stream always ends with the full response, usage included.
    streamUsageRequested: stream,
    endUser: str(b.user) ?? str(b.safety_identifier),
  };
}

/** Read a Responses `usage` object (`input_tokens`, `output_tokens`, cached and reasoning details). */
export function responsesUsage(value: unknown): Usage | undefined {
  const u = obj(value);
  const input = num(u.input_tokens);
  const output = num(u.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = {
    promptTokens: input ?? 0,
    completionTokens: output ?? 0,
    totalTokens: num(u.total_tokens) ?? (input ?? 0) + (output ?? 0),
  };
  const cached = num(obj(u.input_tokens_details).cached_tokens);
  if (cached) usage.cachedTokens = cached;
  const reasoning = num(obj(u.output_tokens_details).reasoning_tokens);
  if (reasoning) usage.reasoningTokens = reasoning;
  return usage;
}

/** Parse a `response` object (a non-streamed body, or the one inside `response.completed`). */
export function parseResponsesResponse(body: unknown): ParsedResponse {
  const b = obj(body);
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const raw of arr(b.output)) {
    const item = obj(raw);
    if (str(item.type) === 'message') {
      for (const part of arr(item.content)) {
        const p = obj(part);
        text += str(p.text) ?? str(p.refusal) ?? '';
      }
      continue;
    }
    const call = itemToolCall(item);
    if (call) toolCalls.push(call);
  }
  const status = str(b.status);
  const incomplete = str(obj(b.incomplete_details).reason);
  return {
    responseModel: str(b.model),
    text,
    toolCalls,
    finishReason: incomplete ?? status,
    usage: responsesUsage(b.usage),
    error: errorMessage(b),
  };
}

interface ItemState {
  text: Map<number, string>;
  call?: ToolCall;
}

/**
 * Accumulate typed Responses stream events (`response.output_text.delta`,
 * `response.function_call_arguments.delta`, `response.output_item.done`, …). The final
 * `response.completed` / `response.incomplete` / `response.failed` event carries the whole
 * response and usage; deltas are kept for streams that end early.
 */
export function createResponsesStreamParser(): StreamParser {
  const items = new Map<number, ItemState>();
  let model: string | undefined;
  let final: ParsedResponse | undefined;
  let error: string | undefined;
  const itemAt = (index: number): ItemState => {
    let s = items.get(index);
    if (!s) {
      s = { text: new Map() };
      items.set(index, s);
    }
    return s;
  };
  return {
    push(event) {
      const data = eventJson(event);
      if (!data) return false;
      const type = str(data.type) ?? event.event ?? '';
      const outputIndex = num(data.output_index) ?? 0;
      switch (type) {
        case 'response.created':
        case 'response.in_progress':
        case 'response.queued':
          model ??= str(obj(data.response).model);
          return false;
        case 'response.output_text.delta':
        case 'response.refusal.delta': {
          const delta = str(data.delta);
          if (!delta) return false;
          const s = itemAt(outputIndex);
          const ci = num(data.content_index) ?? 0;
          s.text.set(ci, (s.text.get(ci) ?? '') + delta);
          return true;
        }
        case 'response.output_item.added':
        case 'response.output_item.done': {
          const call = itemToolCall(obj(data.item));
          if (call) {
            const s = itemAt(outputIndex);
            // `added` carries empty arguments; keep streamed ones unless `done` has the full text.
            if (!s.call || type === 'response.output_item.done')
              s.call = { ...call, arguments: call.arguments || s.call?.arguments || '' };
          }
          return false;
        }
        case 'response.function_call_arguments.delta':
        case 'response.custom_tool_call_input.delta':
        case 'response.mcp_call_arguments.delta': {
          const s = itemAt(outputIndex);
          s.call ??= { name: '', arguments: '' };
          s.call.arguments += str(data.delta) ?? '';
          return true;
        }
        case 'response.completed':
        case 'response.incomplete':
        case 'response.failed':
          final = parseResponsesResponse(data.response);
          return false;
        case 'error':
          error ??= str(data.message) ?? errorMessage(data) ?? 'stream error';
          return false;
        default:
          return false;
      }
    },
    result() {
      const ordered = [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
      const streamedText = ordered
        .map((s) =>
          [...s.text.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([, t]) => t)
            .join(''),
        )
        .join('');
      const streamedCalls = ordered
        .map((s) => s.call)
        .filter((c): c is ToolCall => c !== undefined && c.name !== '');
      return {
        responseModel: final?.responseModel ?? model,
        text: final?.text || streamedText,
        toolCalls: final && final.toolCalls.length > 0 ? final.toolCalls : streamedCalls,
        finishReason: final?.finishReason,
        usage: final?.usage,
        error: error ?? final?.error,
      };
    },
  };
}

/** OpenAI Responses API (`POST /v1/responses`), streaming with typed events and not. */
export const openaiResponses: ProviderFormat = {
  id: 'openai.responses',
  provider: 'openai',
  operation: 'responses',
  match: (method, path) => method === 'POST' && /^(?:\/v1|\/openai)?\/responses\/?$/.test(path),
  parseRequest: parseResponsesRequest,
  parseResponse: parseResponsesResponse,
  createStreamParser: () => createResponsesStreamParser(),
};
