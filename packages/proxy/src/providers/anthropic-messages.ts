import type { PromptMessage, ToolCall } from '@llmtrace/core';
import {
  arr,
  describeToolCalls,
  errorMessage,
  eventJson,
  flattenContent,
  num,
  obj,
  partPlaceholder,
  pickParams,
  str,
  systemText,
} from './shared.js';
import type { ParsedRequest, ParsedResponse, ProviderFormat, StreamParser, Usage } from './types.js';

const PARAM_KEYS = ['temperature', 'top_p', 'top_k', 'max_tokens', 'stop_sequences', 'service_tier'] as const;

function toolUseCall(block: Record<string, unknown>): ToolCall | undefined {
  const name = str(block.name);
  if (!name) return undefined;
  return { id: str(block.id), name, arguments: JSON.stringify(block.input ?? {}) };
}

/**
 * Turn one Anthropic message into recorded messages: text and media become the message content,
 * `tool_use` blocks are noted inline, and each `tool_result` block becomes its own `tool` message
 * (with `toolCallId`) so tool output is analysed like any other input.
 */
function convertMessage(role: string, content: unknown): PromptMessage[] {
  if (!Array.isArray(content)) return [{ role, content: flattenContent(content) }];
  const out: PromptMessage[] = [];
  const parts: string[] = [];
  for (const raw of content) {
    const block = obj(raw);
    const type = str(block.type) ?? '';
    if (type === 'text') parts.push(str(block.text) ?? '');
    else if (type === 'tool_use' || type === 'server_tool_use') {
      const call = toolUseCall(block);
      if (call) parts.push(describeToolCalls([call]));
    } else if (type === 'tool_result') {
      const msg: PromptMessage = { role: 'tool', content: flattenContent(block.content) };
      const id = str(block.tool_use_id);
      if (id) msg.toolCallId = id;
      out.push(msg);
    } else if (type === 'thinking' || type === 'redacted_thinking') {
      // Earlier reasoning sent back for continuity: not user input.
    } else parts.push(partPlaceholder(type));
  }
  if (parts.length > 0 || out.length === 0) out.push({ role, content: parts.join('\n') });
  return out;
}

/** Parse an Anthropic Messages request: `system`, content blocks, tools, `metadata.user_id`. */
export function parseMessagesRequest(body: unknown): ParsedRequest {
  const b = obj(body);
  const messages: PromptMessage[] = [];
  const system = flattenContent(b.system);
  if (system) messages.push({ role: 'system', content: system });
  for (const raw of arr(b.messages)) {
    const m = obj(raw);
    messages.push(...convertMessage(str(m.role) ?? 'user', m.content));
  }
  const params = pickParams(b, PARAM_KEYS);
  const tools = arr(b.tools).length;
  if (tools > 0) params.tools = tools;
  const toolChoice = str(obj(b.tool_choice).type);
  if (toolChoice) params.tool_choice = toolChoice;
  const thinking = num(obj(b.thinking).budget_tokens);
  if (thinking !== undefined) params.thinking_budget_tokens = thinking;
  const stream = b.stream === true;
  return {
    model: str(b.model) ?? '',
    stream,
    messages,
    systemPrompt: systemText(messages),
    params,
    maxTokens: num(b.max_tokens),
    // Anthropic streams always carry usage (message_start and message_delta).
    streamUsageRequested: stream,
    endUser: str(obj(b.metadata).user_id),
  };
}

interface RawUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheCreation?: number;
}

function readUsage(value: unknown, into: RawUsage): boolean {
  const u = obj(value);
  let seen = false;
  const set = (key: keyof RawUsage, v: number | undefined): void => {
    if (v === undefined) return;
    into[key] = v;
    seen = true;
  };
  set('input', num(u.input_tokens));
  set('output', num(u.output_tokens));
  set('cacheRead', num(u.cache_read_input_tokens));
  set('cacheCreation', num(u.cache_creation_input_tokens));
  return seen;
}

/**
 * Anthropic reports `input_tokens` without cache reads and writes; the span's prompt tokens are
 * all input tokens, with the cached and cache-creation parts broken out (for exact cost).
 */
function toUsage(raw: RawUsage): Usage {
  const cacheRead = raw.cacheRead ?? 0;
  const cacheCreation = raw.cacheCreation ?? 0;
  const promptTokens = (raw.input ?? 0) + cacheRead + cacheCreation;
  const completionTokens = raw.output ?? 0;
  const usage: Usage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
  if (cacheRead) usage.cachedTokens = cacheRead;
  if (cacheCreation) usage.cacheCreationTokens = cacheCreation;
  return usage;
}

/** Parse a (non-streamed) Messages response body or an error body. */
export function parseMessagesResponse(body: unknown): ParsedResponse {
  const b = obj(body);
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const raw of arr(b.content)) {
    const block = obj(raw);
    const type = str(block.type);
    if (type === 'text') text += str(block.text) ?? '';
    else if (type === 'tool_use' || type === 'server_tool_use') {
      const call = toolUseCall(block);
      if (call) toolCalls.push(call);
    }
  }
  const raw: RawUsage = {};
  return {
    responseModel: str(b.model),
    text,
    toolCalls,
    finishReason: str(b.stop_reason),
    usage: readUsage(b.usage, raw) ? toUsage(raw) : undefined,
    error: errorMessage(b),
  };
}

interface BlockState {
  type: string;
  text: string;
  call?: ToolCall;
  json: string;
  input: unknown;
}

/** Accumulate the Messages event sequence: message_start, content_block_*, message_delta, message_stop, error. */
export function createMessagesStreamParser(): StreamParser {
  const blocks = new Map<number, BlockState>();
  const raw: RawUsage = {};
  let usageSeen = false;
  let model: string | undefined;
  let finishReason: string | undefined;
  let error: string | undefined;
  return {
    push(event) {
      const data = eventJson(event);
      if (!data) return false;
      const type = str(data.type) ?? event.event ?? '';
      const index = num(data.index) ?? 0;
      switch (type) {
        case 'message_start': {
          const message = obj(data.message);
          model ??= str(message.model);
          usageSeen = readUsage(message.usage, raw) || usageSeen;
          return false;
        }
        case 'content_block_start': {
          const block = obj(data.content_block);
          const blockType = str(block.type) ?? '';
          const state: BlockState = {
            type: blockType,
            text: str(block.text) ?? '',
            json: '',
            input: block.input,
          };
          if (blockType === 'tool_use' || blockType === 'server_tool_use') {
            state.call = { id: str(block.id), name: str(block.name) ?? '', arguments: '' };
          }
          blocks.set(index, state);
          return state.call !== undefined || state.text.length > 0;
        }
        case 'content_block_delta': {
          const delta = obj(data.delta);
          let state = blocks.get(index);
          if (!state) {
            // A delta without its start (a dropped event): still keep the content.
            state = { type: 'text', text: '', json: '', input: undefined };
            blocks.set(index, state);
          }
          const deltaType = str(delta.type);
          if (deltaType === 'text_delta') {
            const t = str(delta.text) ?? '';
            state.text += t;
            return t.length > 0;
          }
          if (deltaType === 'input_json_delta') {
            state.json += str(delta.partial_json) ?? '';
            return true;
          }
          return false;
        }
        case 'message_delta':
          finishReason = str(obj(data.delta).stop_reason) ?? finishReason;
          // message_delta usage is cumulative: its counts replace the ones from message_start.
          usageSeen = readUsage(data.usage, raw) || usageSeen;
          return false;
        case 'error':
          error ??= errorMessage(data) ?? 'stream error';
          return false;
        default:
          return false;
      }
    },
    result() {
      let text = '';
      const toolCalls: ToolCall[] = [];
      for (const [, b] of [...blocks.entries()].sort((x, y) => x[0] - y[0])) {
        if (b.call) {
          if (!b.call.name) continue;
          const args = b.json || JSON.stringify(b.input ?? {});
          toolCalls.push({ ...b.call, arguments: args });
        } else if (b.type === 'text') text += b.text;
      }
      return {
        responseModel: model,
        text,
        toolCalls,
        finishReason,
        usage: usageSeen ? toUsage(raw) : undefined,
        error,
      };
    },
  };
}

/** Anthropic Messages (`POST /v1/messages`), streaming and not. */
export const anthropicMessages: ProviderFormat = {
  id: 'anthropic.messages',
  provider: 'anthropic',
  operation: 'messages',
  match: (method, path) => method === 'POST' && /^(?:\/v1)?\/messages\/?$/.test(path),
  parseRequest: parseMessagesRequest,
  parseResponse: parseMessagesResponse,
  createStreamParser: () => createMessagesStreamParser(),
};
