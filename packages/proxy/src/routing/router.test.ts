import { describe, expect, it } from 'vitest';
import { createRouter } from './router.js';

const h = (init: Record<string, string> = {}) => new Headers(init);

describe('createRouter', () => {
  const route = createRouter(
    [
      { prefix: '/v1/messages', upstream: 'https://api.anthropic.example', provider: undefined },
      { prefix: '/openai/*', upstream: 'http://vllm:8000', stripPrefix: true },
      { provider: 'azure', upstream: 'https://my.azure.example/openai' },
      { provider: 'groq', prefix: '/v1/chat', upstream: 'https://groq.example' },
    ],
    'https://api.openai.example',
  );

  it('routes by path prefix on whole segments', () => {
    expect(route('POST', '/v1/messages', h())).toEqual({
      upstream: 'https://api.anthropic.example',
      path: '/v1/messages',
      provider: undefined,
    });
    expect(route('POST', '/v1/messagesX', h()).upstream).toBe('https://api.openai.example');
  });

  it('strips a prefix when asked, keeping the query string', () => {
    expect(route('POST', '/openai/v1/chat/completions?x=1', h())).toEqual({
      upstream: 'http://vllm:8000',
      path: '/v1/chat/completions?x=1',
      provider: undefined,
    });
    expect(route('GET', '/openai', h()).path).toBe('/');
  });

  it('routes by the provider header, case-insensitively, and reports the provider', () => {
    expect(route('POST', '/v1/chat/completions', h({ 'x-llmtrace-provider': 'Azure' }))).toEqual({
      upstream: 'https://my.azure.example/openai',
      path: '/v1/chat/completions',
      provider: 'azure',
    });
  });

  it('needs both header and prefix when a rule names both', () => {
    expect(route('POST', '/v1/chat/completions', h({ 'x-llmtrace-provider': 'groq' })).upstream).toBe(
      'https://groq.example',
    );
    expect(route('POST', '/v1/embeddings', h({ 'x-llmtrace-provider': 'groq' })).upstream).toBe(
      'https://api.openai.example',
    );
  });

  it('falls back to the default upstream with the path unchanged', () => {
    expect(route('POST', '/v1/chat/completions', h())).toEqual({
      upstream: 'https://api.openai.example',
      path: '/v1/chat/completions',
      provider: undefined,
    });
  });

  it('first matching rule wins', () => {
    const r = createRouter(
      [
        { prefix: '/v1', upstream: 'first' },
        { prefix: '/v1/messages', upstream: 'second' },
      ],
      'default',
    );
    expect(r('POST', '/v1/messages', h()).upstream).toBe('first');
  });
});
