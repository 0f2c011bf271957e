import { describe, expect, it } from 'vitest';
import { findFormat, formats } from './registry.js';
import type { SseEvent } from './types.js';

// Shapes a parser can meet from a buggy client, a non-conforming upstream or a proxy in between.
const odd: unknown[] = [
  null,
  undefined,
  42,
  'text',
  [],
  [1, 2],
  {},
  { model: 7, messages: 'nope', input: { a: 1 }, system: 5, prompt: [null, {}], stream: 'yes' },
  { messages: [null, 3, { role: 9, content: { x: 1 } }, { content: [null, 5, { type: 7 }] }] },
  {
    choices: [null, { message: null, delta: 5 }],
    usage: 'lots',
    output: [null, { type: 'message', content: 'x' }],
  },
  { content: [null, { type: 'tool_use', input: null }], usage: { input_tokens: 'x' } },
  { error: { message: 'upstream said no' } },
];

const oddEvents: SseEvent[] = [
  { data: '' },
  { data: '[DONE]' },
  { data: '{"truncated":' },
  { data: 'null' },
  { data: '[1,2,3]' },
  { data: '"a string"' },
  { event: 'content_block_delta', data: '{"index":"x","delta":null}' },
  { data: '{"type":"response.output_text.delta","delta":5}' },
  { data: '{"choices":[{"delta":{"tool_calls":[null,{"function":null}]}}]}' },
  { data: '{"type":"message_delta","usage":null,"delta":null}' },
];

describe.each(formats.map((f) => [f.id, f] as const))('provider format contract: %s', (_id, format) => {
  it('has a stable id, a provider and an operation', () => {
    expect(format.id).toMatch(/^[a-z]+\.[a-z_]+$/);
    expect(format.provider.length).toBeGreaterThan(0);
    expect(['chat', 'completion', 'embedding', 'responses', 'messages']).toContain(format.operation);
  });

  it('never throws on odd request bodies and always returns a well-formed ParsedRequest', () => {
    for (const body of odd) {
      const r = format.parseRequest(body);
      expect(typeof r.model).toBe('string');
      expect(typeof r.stream).toBe('boolean');
      expect(Array.isArray(r.messages)).toBe(true);
      for (const m of r.messages) {
        expect(typeof m.role).toBe('string');
        expect(typeof m.content).toBe('string');
      }
      expect(typeof r.params).toBe('object');
    }
  });

  it('never throws on odd response bodies and reports an error body', () => {
    for (const body of odd) {
      const r = format.parseResponse(body);
      expect(typeof r.text).toBe('string');
      expect(Array.isArray(r.toolCalls)).toBe(true);
    }
    expect(format.parseResponse({ error: { message: 'upstream said no' } }).error).toBe('upstream said no');
  });

  it('stream parsers swallow odd events and can report at any time', () => {
    const parser = format.createStreamParser(format.parseRequest({ model: 'm', stream: true }));
    expect(parser.result().text).toBe('');
    for (const ev of oddEvents) expect(typeof parser.push(ev)).toBe('boolean');
    const r = parser.result();
    expect(typeof r.text).toBe('string');
    expect(Array.isArray(r.toolCalls)).toBe(true);
  });

  it('is found by the registry for its own method and path', () => {
    const path = {
      chat: '/v1/chat/completions',
      completion: '/v1/completions',
      embedding: '/v1/embeddings',
      responses: '/v1/responses',
      messages: '/v1/messages',
      other: '',
    }[format.operation];
    expect(findFormat('POST', path)?.id).toBe(format.id);
  });
});
