import { describe, expect, it } from 'vitest';
import { findFormat, isPassThroughOnly } from './registry.js';

describe('findFormat', () => {
  it.each([
    ['/v1/chat/completions', 'openai.chat'],
    ['/chat/completions', 'openai.chat'],
    ['/openai/deployments/my-gpt4o/chat/completions', 'openai.chat'],
    ['/v1/completions', 'openai.completions'],
    ['/v1/embeddings', 'openai.embeddings'],
    ['/embeddings', 'openai.embeddings'],
    ['/v1/responses', 'openai.responses'],
    ['/v1/messages', 'anthropic.messages'],
    ['/v1/chat/completions?api-version=2024-10-21', 'openai.chat'],
  ])('POST %s → %s', (path, id) => {
    expect(findFormat('POST', path)?.id).toBe(id);
  });

  it('leaves other methods and paths to pass-through (operation other)', () => {
    expect(findFormat('GET', '/v1/chat/completions')).toBeUndefined();
    expect(findFormat('POST', '/v1/messages/count_tokens')).toBeUndefined();
    expect(findFormat('POST', '/v1/audio/transcriptions')).toBeUndefined();
    expect(findFormat('GET', '/v1/responses/resp_123')).toBeUndefined();
    expect(findFormat('POST', '/v2/chat/completions')).toBeUndefined();
  });

  it('accepts lower-case methods', () => {
    expect(findFormat('post', '/v1/messages')?.id).toBe('anthropic.messages');
  });
});

describe('isPassThroughOnly', () => {
  it('is true for models listing and retrieval only', () => {
    expect(isPassThroughOnly('GET', '/v1/models')).toBe(true);
    expect(isPassThroughOnly('GET', '/models')).toBe(true);
    expect(isPassThroughOnly('GET', '/v1/models/gpt-4o')).toBe(true);
    expect(isPassThroughOnly('DELETE', '/v1/models/ft:x')).toBe(false);
    expect(isPassThroughOnly('POST', '/v1/chat/completions')).toBe(false);
    expect(isPassThroughOnly('GET', '/v1/files')).toBe(false);
  });
});
