import { describe, expect, it } from 'vitest';
import {
  createCompletionsStreamParser,
  parseCompletionsRequest,
  parseCompletionsResponse,
} from './openai-completions.js';
import { parseEmbeddingsRequest, parseEmbeddingsResponse } from './openai-embeddings.js';

describe('openai legacy completions', () => {
  it('turns the prompt into one user message (strings, lists, token ids)', () => {
    expect(
      parseCompletionsRequest({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi', max_tokens: 5 }),
    ).toMatchObject({
      messages: [{ role: 'user', content: 'Say hi' }],
      maxTokens: 5,
      promptKind: 'text',
    });
    expect(parseCompletionsRequest({ prompt: ['a', 'b'] }).messages).toEqual([
      { role: 'user', content: 'a\n\nb' },
    ]);
    expect(parseCompletionsRequest({ prompt: [1, 2, 3] }).messages).toEqual([
      { role: 'user', content: '[3 tokens]' },
    ]);
  });

  it('reads the body and the stream, usage chunk included', () => {
    const body = parseCompletionsResponse({
      object: 'text_completion',
      model: 'gpt-3.5-turbo-instruct',
      choices: [{ text: 'Hi!', index: 0, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
    });
    expect(body).toMatchObject({
      text: 'Hi!',
      finishReason: 'stop',
      usage: { promptTokens: 2, completionTokens: 2, totalTokens: 4 },
    });
    const p = createCompletionsStreamParser();
    expect(p.push({ data: '{"choices":[{"text":"Hel","index":0,"finish_reason":null}],"model":"m"}' })).toBe(
      true,
    );
    p.push({ data: '{"choices":[{"text":"lo","index":0,"finish_reason":"length"}]}' });
    p.push({ data: '{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}' });
    expect(p.result()).toMatchObject({
      text: 'Hello',
      finishReason: 'length',
      responseModel: 'm',
      usage: { totalTokens: 3 },
    });
  });
});

describe('openai embeddings', () => {
  it('counts inputs and reads prompt-only usage', () => {
    const r = parseEmbeddingsRequest({ model: 'text-embedding-3-large', input: ['x', 'y'], dimensions: 256 });
    expect(r.params).toEqual({ dimensions: 256, inputs: 2 });
    expect(r.messages).toHaveLength(2);
    expect(parseEmbeddingsRequest({ input: 'one' }).params.inputs).toBe(1);
    const res = parseEmbeddingsResponse({
      object: 'list',
      data: [{ embedding: [0.1] }],
      model: 'text-embedding-3-large',
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
    expect(res.usage).toEqual({ promptTokens: 7, completionTokens: 0, totalTokens: 7 });
    expect(res.text).toBe('');
  });
});
