import { openaiUsage } from './openai-usage.js';
import { arr, createNullStreamParser, errorMessage, obj, pickParams, str } from './shared.js';
import type { ParsedRequest, ParsedResponse, ProviderFormat } from './types.js';

const PARAM_KEYS = ['dimensions', 'encoding_format'] as const;

/** Inputs of an embeddings request as texts (token-id inputs are noted by their length). */
function inputTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  const items = arr(input);
  if (items.length > 0 && items.every((x) => typeof x === 'number')) return [`[${items.length} tokens]`];
  return items.map((x) => (typeof x === 'string' ? x : Array.isArray(x) ? `[${x.length} tokens]` : ''));
}

/** Parse an embeddings request: each input becomes one `user` message; `params.inputs` counts them. */
export function parseEmbeddingsRequest(body: unknown): ParsedRequest {
  const b = obj(body);
  const inputs = inputTexts(b.input);
  const params = pickParams(b, PARAM_KEYS);
  params.inputs = inputs.length;
  return {
    model: str(b.model) ?? '',
    stream: false,
    messages: inputs.map((content) => ({ role: 'user', content })),
    params,
    endUser: str(b.user),
    promptKind: 'text',
  };
}

/** Parse an embeddings list: no text is recorded (vectors are not content), only usage and model. */
export function parseEmbeddingsResponse(body: unknown): ParsedResponse {
  const b = obj(body);
  const usage = openaiUsage(b.usage);
  return {
    responseModel: str(b.model),
    text: '',
    toolCalls: [],
    // Embeddings report only prompt and total tokens; nothing is generated.
    usage: usage ? { ...usage, completionTokens: 0, totalTokens: usage.promptTokens } : undefined,
    error: errorMessage(b),
  };
}

/** OpenAI embeddings (`POST /v1/embeddings`). Never streamed. */
export const openaiEmbeddings: ProviderFormat = {
  id: 'openai.embeddings',
  provider: 'openai',
  operation: 'embedding',
  match: (method, path) =>
    method === 'POST' && /^(?:\/v1|\/openai\/deployments\/[^/]+)?\/embeddings\/?$/.test(path),
  parseRequest: parseEmbeddingsRequest,
  parseResponse: parseEmbeddingsResponse,
  createStreamParser: () => createNullStreamParser(),
};
