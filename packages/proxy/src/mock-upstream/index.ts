import { anthropicMessagesHandler } from './anthropic-messages.js';
import { openaiChatHandler } from './openai-chat.js';
import { openaiChatToolsHandler } from './openai-chat-tools.js';
import { openaiCompletionsHandler } from './openai-completions.js';
import { openaiEmbeddingsHandler } from './openai-embeddings.js';
import { openaiModelsHandler } from './openai-models.js';
import { openaiResponsesHandler } from './openai-responses.js';
import { type MockUpstream, type MockUpstreamOptions, createMockUpstream as startWith } from './server.js';
import type { MockHandler } from './types.js';

/** Every API the fake upstream speaks; one line per format. */
export const mockHandlers: readonly MockHandler[] = [
  openaiChatToolsHandler,
  openaiChatHandler,
  openaiCompletionsHandler,
  openaiModelsHandler,
  openaiEmbeddingsHandler,
  openaiResponsesHandler,
  anthropicMessagesHandler,
];

/** Start the fake upstream with every registered API. See {@link MockUpstreamOptions}. */
export function createMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  return startWith(mockHandlers, options);
}

export type { MockUpstream, MockUpstreamOptions, ReceivedRequest } from './server.js';
export type { MockControls, MockHandler } from './types.js';
