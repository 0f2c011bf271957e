import type { PromptMessage, ToolCall } from '@llmtrace/core';
import { openaiUsage } from './openai-usage.js';
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
  'max_tokens',
  'max_completion_tokens',
  'n',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'tool_choice',
  'parallel_tool_calls',
  'reasoning_effort',
  'service_tier',
] as const;

/** Tool calls of an assistant message: `tool_calls[]` and the legacy `function_call`. */
function messageToolCalls(message: Record<string, unknown>): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const raw of arr(message.tool_calls)) {
    const tc = obj(raw);
    const fn = obj(tc.function);
    const name = str(fn.name) ?? str(obj(tc.custom).name);
    if (!name) continue;
    calls.push({ id: str(tc.id), name, arguments: str(fn.arguments) ?? str(obj(tc.custom).input) ?? '' });
  }
  const legacy = obj(message.function_call);
  const legacyName = str(legacy.name);
  if (legacyName) calls.push({ name: legacyName, arguments: str(legacy.arguments) ?? '' });
  return calls;
}

/** Parse a chat completions request body. */
export function parseChatRequest(body: unknown): ParsedRequest {
  const b = obj(body);
  const messages: PromptMessage[] = [];
  for (const raw of arr(b.messages)) {
    const m = obj(raw);
    let content = flattenContent(m.content);
    const refusal = str(m.refusal);
    if (refusal) content = content ? `${content}\n${refusal}` : refusal;
    const calls = messageToolCalls(m);
    if (calls.length > 0)
      content = content ? `${content}\n${describeToolCalls(calls)}` : describeToolCalls(calls);
    const msg: PromptMessage = { role: str(m.role) ?? 'user', content };
    const name = str(m.name);
    if (name) msg.name = name;
    const toolCallId = str(m.tool_call_id);
    if (toolCallId) msg.toolCallId = toolCallId;
    messages.push(msg);
  }
  const params = pickParams(b, PARAM_KEYS);
  const tools = arr(b.tools).length + arr(b.functions).length;
  if (tools > 0) params.tools = tools;
  const responseFormat = str(obj(b.response_format).type);
  if (responseFormat) params.response_format = responseFormat;
  const stream = b.stream === true;
  return {
    model: str(b.model) ?? '',
    stream,
    messages,
    systemPrompt: systemText(messages),
    params,
    maxTokens: num(b.max_completion_tokens) ?? num(b.max_tokens),
    streamUsageRequested: stream && obj(b.stream_options).include_usage === true,
    endUser: str(b.user) ?? str(b.safety_identifier),
  };
}

/** Parse a (non-streamed) chat completion body. With `n > 1`, choices' texts are joined by a blank line. */
export function parseChatResponse(body: unknown): ParsedResponse {
  const b = obj(body);
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  let finishReason: string | undefined;
  for (const raw of arr(b.choices)) {
    const choice = obj(raw);
    const message = obj(choice.message);
    const text = str(message.content) ?? flattenContent(message.content);
    const refusal = str(message.refusal);
    const t = text || refusal || '';
    if (t) texts.push(t);
    toolCalls.push(...messageToolCalls(message));
    finishReason ??= str(choice.finish_reason);
  }
  return {
    responseModel: str(b.model),
    text: texts.join('\n\n'),
    toolCalls,
    finishReason,
    usage: openaiUsage(b.usage),
    error: errorMessage(b),
  };
}

interface ChoiceState {
  text: string;
  refusal: string;
  tools: Map<number, { id?: string; name: string; arguments: string }>;
  legacy?: { name: string; arguments: string };
  finishReason?: string;
}

/** Accumulate `chat.completion.chunk` events: content, refusals, tool-call fragments, the usage chunk. */
export function createChatStreamParser(): StreamParser {
  const choices = new Map<number, ChoiceState>();
  let model: string | undefined;
  let usage: Usage | undefined;
  let error: string | undefined;
  const stateOf = (index: number): ChoiceState => {
    let s = choices.get(index);
    if (!s) {
      s = { text: '', refusal: '', tools: new Map() };
      choices.set(index, s);
    }
    return s;
  };
  return {
    push(event) {
      const chunk = eventJson(event);
      if (!chunk) return false;
      model ??= str(chunk.model);
      // Usage may arrive in the final `choices: []` chunk or (some servers) on every chunk; keep the latest.
      usage = openaiUsage(chunk.usage) ?? usage;
      error ??= errorMessage(chunk);
      let content = false;
      for (const raw of arr(chunk.choices)) {
        const choice = obj(raw);
        const s = stateOf(num(choice.index) ?? 0);
        const delta = obj(choice.delta);
        const text = str(delta.content);
        if (text) {
          s.text += text;
          content = true;
        }
        const refusal = str(delta.refusal);
        if (refusal) {
          s.refusal += refusal;
          content = true;
        }
        for (const rawTool of arr(delta.tool_calls)) {
          const tc = obj(rawTool);
          const i = num(tc.index) ?? s.tools.size;
          const fn = obj(tc.function);
          let t = s.tools.get(i);
          if (!t) {
            t = { name: '', arguments: '' };
            s.tools.set(i, t);
          }
          const id = str(tc.id);
          if (id) t.id = id;
          const name = str(fn.name);
          if (name) t.name += name;
          const args = str(fn.arguments);
          if (args) t.arguments += args;
          content = true;
        }
        const fc = obj(delta.function_call);
        if (Object.keys(fc).length > 0) {
          s.legacy ??= { name: '', arguments: '' };
          s.legacy.name += str(fc.name) ?? '';
          s.legacy.arguments += str(fc.arguments) ?? '';
          content = true;
        }
        const finish = str(choice.finish_reason);
        if (finish) s.finishReason = finish;
      }
      return content;
    },
    result() {
      const ordered = [...choices.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
      const toolCalls: ToolCall[] = [];
      for (const s of ordered) {
        for (const [, t] of [...s.tools.entries()].sort((a, b) => a[0] - b[0])) {
          if (t.name)
            toolCalls.push(
              t.id
                ? { id: t.id, name: t.name, arguments: t.arguments }
                : { name: t.name, arguments: t.arguments },
            );
        }
        if (s.legacy?.name) toolCalls.push({ name: s.legacy.name, arguments: s.legacy.arguments });
      }
      return {
        responseModel: model,
        text: ordered
          .map((s) => s.text || s.refusal)
          .filter((t) => t.length > 0)
          .join('\n\n'),
        toolCalls,
        finishReason: ordered[0]?.finishReason,
        usage,
        error,
      };
    },
  };
}

/** OpenAI chat completions (`POST /v1/chat/completions`), also spoken by Azure, vLLM, Ollama, … */
export const openaiChat: ProviderFormat = {
  id: 'openai.chat',
  provider: 'openai',
  operation: 'chat',
  match: (method, path) =>
    method === 'POST' && /^(?:\/v1|\/openai\/deployments\/[^/]+)?\/chat\/completions\/?$/.test(path),
  parseRequest: parseChatRequest,
  parseResponse: parseChatResponse,
  createStreamParser: () => createChatStreamParser(),
};
