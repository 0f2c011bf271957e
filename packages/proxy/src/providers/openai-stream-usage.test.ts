import { describe, expect, it } from 'vitest';
import { injectStreamUsage, isUsageOnlyChunk } from './openai-stream-usage.js';

describe('injectStreamUsage', () => {
  it('adds include_usage to a streaming request and says the client did not ask', () => {
    const body: Record<string, unknown> = {
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_obfuscation: false },
    };
    expect(injectStreamUsage(body)).toBe(true);
    expect(body.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
  });

  it('leaves a client that asked for usage, and non-streaming requests, alone', () => {
    const asked: Record<string, unknown> = { stream: true, stream_options: { include_usage: true } };
    expect(injectStreamUsage(asked)).toBe(false);
    expect(asked.stream_options).toEqual({ include_usage: true });
    const plain: Record<string, unknown> = { stream: false };
    expect(injectStreamUsage(plain)).toBe(false);
    expect(plain.stream_options).toBeUndefined();
  });

  it('overrides an explicit include_usage: false (the extra chunk is then dropped)', () => {
    const body: Record<string, unknown> = { stream: true, stream_options: { include_usage: false } };
    expect(injectStreamUsage(body)).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });
});

describe('isUsageOnlyChunk', () => {
  it('recognises the final usage chunk', () => {
    expect(
      isUsageOnlyChunk(
        '{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}',
      ),
    ).toBe(true);
  });

  it('keeps content chunks, chunks with usage: null, [DONE] and garbage', () => {
    expect(isUsageOnlyChunk('{"choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null}')).toBe(false);
    expect(isUsageOnlyChunk('{"choices":[],"usage":null}')).toBe(false);
    expect(isUsageOnlyChunk('{"choices":[{"index":0,"delta":{}}],"usage":{"total_tokens":3}}')).toBe(false);
    expect(isUsageOnlyChunk('[DONE]')).toBe(false);
    expect(isUsageOnlyChunk('{"choices":[],"usage":{')).toBe(false);
  });
});
