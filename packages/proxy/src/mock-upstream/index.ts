import { openaiChatHandler } from './openai-chat.js';
import { openaiCompletionsHandler } from './openai-completions.js';
import { openaiModelsHandler } from './openai-models.js';
import { createMockUpstream as startWith, type MockUpstream, type MockUpstreamOptions } from './server.js';
import type { MockHandler } from './types.js';

/** Every API the fake upstream speaks; one line per format. */
export const mockHandlers: readonly MockHandler[] = [openaiChatHandler, openaiCompletionsHandler, openaiModelsHandler];

/** Start the fake upstream with every registered API. See {@link MockUpstreamOptions}. */
export function createMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  return startWith(mockHandlers, options);
}

export type { MockUpstream, MockUpstreamOptions, ReceivedRequest } from './server.js';
export type { MockControls, MockHandler } from './types.js';
