import type { Operation } from '@llmtrace/core';

const ALIASES: Readonly<Record<string, Operation>> = {
  chat: 'chat',
  chat_completion: 'chat',
  chat_completions: 'chat',
  'chat.completions': 'chat',
  completion: 'completion',
  completions: 'completion',
  text_completion: 'completion',
  embedding: 'embedding',
  embeddings: 'embedding',
  responses: 'responses',
  response: 'responses',
  messages: 'messages',
  message: 'messages',
  other: 'other',
};

/**
 * Map an operation name (`chat_completion`, `chat`, `embeddings`, `retrieval`, …) onto the span
 * model's operations; anything unknown is `other` and keeps its name as the `operation.name` tag.
 */
export function normalizeOperation(name: string): { operation: Operation; customName?: string } {
  const op = ALIASES[name.trim().toLowerCase()];
  return op ? { operation: op } : { operation: 'other', customName: name };
}
