import { anthropicMessages } from './anthropic-messages.js';
import { openaiChat } from './openai-chat.js';
import { openaiCompletions } from './openai-completions.js';
import { openaiEmbeddings } from './openai-embeddings.js';
import { openaiResponses } from './openai-responses.js';
import type { ProviderFormat } from './types.js';

/** Every API format the proxy understands; adding one is a module in this folder plus one line here. */
export const formats: readonly ProviderFormat[] = [
  openaiChat,
  openaiCompletions,
  openaiEmbeddings,
  openaiResponses,
  anthropicMessages,
];

/**
 * The format that understands a request, matched on the canonical path (any routing prefix
 * already stripped, no query string). Both `/v1/chat/completions` and `/chat/completions` match.
 * `undefined` for paths the proxy only forwards (recorded as operation `other`).
 *
 * @example findFormat('POST', '/v1/messages')?.id // 'anthropic.messages'
 */
export function findFormat(method: string, path: string): ProviderFormat | undefined {
  const m = method.toUpperCase();
  const p = stripQuery(path);
  return formats.find((f) => f.match(m, p));
}

/**
 * Whether a request is forwarded without becoming a span at all: models listing and retrieval
 * (`GET /v1/models`, `GET /v1/models/{id}`, with or without `/v1`).
 */
export function isPassThroughOnly(method: string, path: string): boolean {
  return method.toUpperCase() === 'GET' && /^(?:\/v1)?\/models(?:\/[^/]+)?\/?$/.test(stripQuery(path));
}

function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}
