import { openaiUsage } from './openai-usage.js';
import { arr, errorMessage, eventJson, num, obj, pickParams, str } from './shared.js';
import type { ParsedRequest, ParsedResponse, ProviderFormat, StreamParser, Usage } from './types.js';

const PARAM_KEYS = [
  'temperature',
  'top_p',
  'max_tokens',
  'n',
  'best_of',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'echo',
  'logprobs',
  'suffix',
] as const;

/** A legacy `prompt` (string, strings, token ids, or lists of token ids) as text. */
function promptText(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  const items = arr(prompt);
  if (items.length === 0) return '';
  // Token ids are not text we can analyse; note how many there were.
  if (items.every((x) => typeof x === 'number')) return `[${items.length} tokens]`;
  return items
    .map((x) => (typeof x === 'string' ? x : Array.isArray(x) ? `[${x.length} tokens]` : ''))
    .filter((x) => x.length > 0)
    .join('\n\n');
}

/** Parse a legacy completions request; the prompt becomes one `user` message. */
export function parseCompletionsRequest(body: unknown): ParsedRequest {
  const b = obj(body);
  const stream = b.stream === true;
  const text = promptText(b.prompt);
  return {
    model: str(b.model) ?? '',
    stream,
    messages: text ? [{ role: 'user', content: text }] : [],
    params: pickParams(b, PARAM_KEYS),
    maxTokens: num(b.max_tokens),
    streamUsageRequested: stream && obj(b.stream_options).include_usage === true,
    endUser: str(b.user),
    promptKind: 'text',
  };
}

/** Parse a legacy `text_completion` body. */
export function parseCompletionsResponse(body: unknown): ParsedResponse {
  const b = obj(body);
  const choices = arr(b.choices).map(obj);
  return {
    responseModel: str(b.model),
    text: choices
      .map((c) => str(c.text) ?? '')
      .filter((t) => t.length > 0)
      .join('\n\n'),
    toolCalls: [],
    finishReason: str(choices[0]?.finish_reason),
    usage: openaiUsage(b.usage),
    error: errorMessage(b),
  };
}

/** Accumulate legacy completion chunks (`choices[].text`), plus the optional usage chunk. */
export function createCompletionsStreamParser(): StreamParser {
  const texts = new Map<number, string>();
  let model: string | undefined;
  let usage: Usage | undefined;
  let finishReason: string | undefined;
  let error: string | undefined;
  return {
    push(event) {
      const chunk = eventJson(event);
      if (!chunk) return false;
      model ??= str(chunk.model);
      usage = openaiUsage(chunk.usage) ?? usage;
      error ??= errorMessage(chunk);
      let content = false;
      for (const raw of arr(chunk.choices)) {
        const c = obj(raw);
        const i = num(c.index) ?? 0;
        const t = str(c.text);
        if (t) {
          texts.set(i, (texts.get(i) ?? '') + t);
          content = true;
        }
        if (i === 0) finishReason = str(c.finish_reason) ?? finishReason;
      }
      return content;
    },
    result() {
      const text = [...texts.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([, t]) => t)
        .join('\n\n');
      return { responseModel: model, text, toolCalls: [], finishReason, usage, error };
    },
  };
}

/** OpenAI legacy completions (`POST /v1/completions`). */
export const openaiCompletions: ProviderFormat = {
  id: 'openai.completions',
  provider: 'openai',
  operation: 'completion',
  match: (method, path) =>
    method === 'POST' && /^(?:\/v1|\/openai\/deployments\/[^/]+)?\/completions\/?$/.test(path),
  parseRequest: parseCompletionsRequest,
  parseResponse: parseCompletionsResponse,
  createStreamParser: () => createCompletionsStreamParser(),
};
