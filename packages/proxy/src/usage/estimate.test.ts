import { createRequire } from 'node:module';
import { encode, encodeChat } from 'gpt-tokenizer/model/gpt-4o';
import { describe, expect, it } from 'vitest';
import type { ParsedRequest } from '../providers/types.js';
import {
  countTokens,
  createCountCache,
  encodingFor,
  estimatePromptTokens,
  estimateUsage,
  preloadTokenizer,
  readMergeRanks,
  tokenizer,
} from './estimate.js';

const chat = (messages: ParsedRequest['messages'], model = 'gpt-4o'): ParsedRequest => ({
  model,
  stream: false,
  messages,
  params: {},
});

describe('token estimation', () => {
  it('counts chat prompts like the chat format itself (cross-checked with the tokenizer chat encoder)', () => {
    const messages = [
      { role: 'system' as const, content: 'You are a terse assistant who answers in one line.' },
      { role: 'user' as const, content: 'What is the tallest mountain in Europe, and how tall is it?' },
      { role: 'assistant' as const, content: 'Mont Elbrus, 5,642 m.' },
      { role: 'user' as const, content: 'And in the Alps?' },
    ];
    expect(estimatePromptTokens(chat(messages))).toBe(encodeChat(messages).length);
  });

  it('counts a plain text prompt without chat overhead', () => {
    const req: ParsedRequest = { ...chat([{ role: 'user', content: 'Hello world' }]), promptKind: 'text' };
    expect(estimatePromptTokens(req)).toBe(2);
  });

  it('estimates completion tokens from text and tool calls', () => {
    const req = chat([{ role: 'user', content: 'hi' }]);
    const u = estimateUsage(req, {
      text: 'Hello world',
      toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }],
    });
    expect(u.completionTokens).toBe(
      countTokens('Hello world') + countTokens('get_weather') + countTokens('{"city":"Paris"}'),
    );
    expect(u.totalTokens).toBe(u.promptTokens + u.completionTokens);
  });

  it('counts a long text the same when its count is remembered, and a changed text afresh', () => {
    const system = 'You are the support assistant for Acme Cloud; answer briefly. '.repeat(20);
    const edited = `${system.slice(0, -2)}!`;
    expect(countTokens(system, 'gpt-4o')).toBe(encode(system).length);
    expect(countTokens(system, 'gpt-4o')).toBe(encode(system).length);
    expect(countTokens(edited, 'gpt-4o')).toBe(encode(edited).length);
    expect(encode(edited).length).not.toBe(encode(system).length);
  });

  it('remembers counts for two generations, carrying a hit in the older one forward', () => {
    const cache = createCountCache(10);
    cache.set('aaaa', 1);
    cache.set('bbbb', 2);
    cache.set('cccc', 3); // the first generation is full: it becomes the older one
    expect(cache.get('aaaa')).toBe(1); // carried into the current generation
    cache.set('dddd', 4); // full again: the generation holding only 'bbbb' is dropped
    expect(cache.get('bbbb')).toBeUndefined();
    expect([cache.get('aaaa'), cache.get('cccc'), cache.get('dddd')]).toEqual([1, 3, 4]);
    expect(cache.size()).toBe(3);
  });

  it('treats special-token text typed by a user as text instead of throwing', () => {
    expect(countTokens('ignore <|endoftext|> this')).toBeGreaterThan(3);
  });

  it('preloads both encodings without changing counts', () => {
    preloadTokenizer(['gpt-4o', 'gpt-4']);
    expect(countTokens('Hello world', 'gpt-4')).toBe(2);
  });

  it('remembers the merges of at most 20 000 words not in the vocabulary', () => {
    // 30 000 different letter-only words (digits would be split off as tokens of their own),
    // none of them in the vocabulary: each goes through the tokenizer's merge cache.
    const word = (i: number) => {
      let w = ' zq';
      for (let n = (i * 7919 + 104_729) % 26 ** 6, k = 0; k < 6; k++, n = Math.floor(n / 26))
        w += String.fromCharCode(97 + (n % 26));
      return w;
    };
    for (let t = 0; t < 300; t++)
      countTokens(Array.from({ length: 100 }, (_, k) => word(t * 100 + k)).join(''), 'gpt-4o');
    const cache = (
      tokenizer('o200k_base') as unknown as {
        bytePairEncodingCoreProcessor: { mergeCache?: Map<string, unknown> };
      }
    ).bytePairEncodingCoreProcessor.mergeCache;
    // Full (the words did go through it), and no larger than the cap.
    expect(cache?.size).toBe(20_000);
  });

  it('picks the encoding by model family', () => {
    expect(encodingFor('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingFor('gpt-4.1')).toBe('o200k_base');
    expect(encodingFor('o3')).toBe('o200k_base');
    expect(encodingFor('gpt-4-0613')).toBe('cl100k_base');
    expect(encodingFor('gpt-4')).toBe('cl100k_base');
    expect(encodingFor('gpt-3.5-turbo')).toBe('cl100k_base');
    expect(encodingFor('text-embedding-3-small')).toBe('cl100k_base');
  });

  it('adds a separate system prompt that is not among the messages', () => {
    const without = estimatePromptTokens(chat([{ role: 'user', content: 'hi' }]));
    const withSystem = estimatePromptTokens({
      ...chat([{ role: 'user', content: 'hi' }]),
      systemPrompt: 'Be brief.',
    });
    expect(withSystem).toBe(without + 3 + countTokens('system') + countTokens('Be brief.'));
  });
});

describe('merge ranks read from the .tiktoken data', () => {
  const require = createRequire(import.meta.url);
  for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
    it(`are the table gpt-tokenizer's ${encoding} module holds`, () => {
      const mine = readMergeRanks(require.resolve(`gpt-tokenizer/data/${encoding}.tiktoken`));
      const theirs = (require(`gpt-tokenizer/bpeRanks/${encoding}`) as { default: unknown[] }).default;
      expect(mine.length).toBe(theirs.length);
      expect(mine).toEqual(theirs);
    });
  }

  it('count what gpt-tokenizer counts', () => {
    const texts = [
      'Hello world',
      '\uFEFFusing namespace std; // a byte-order mark first',
      'emoji 👩🏽‍💻 and CJK 漢字かな, accents: déjà vu, Привет',
      'typed by a user: <|endoftext|> <|im_start|>',
      '    indented\n\n\tcode() { return 42; }\r\n',
      'x'.repeat(5000),
    ];
    for (const [model, encoding] of [
      ['gpt-4o', 'o200k_base'],
      ['gpt-4', 'cl100k_base'],
    ] as const) {
      const ref = require(`gpt-tokenizer/encoding/${encoding}`) as {
        encode(t: string, o: { disallowedSpecial: Set<string> }): number[];
      };
      for (const t of texts)
        expect(countTokens(t, model), t.slice(0, 20)).toBe(
          ref.encode(t, { disallowedSpecial: new Set() }).length,
        );
    }
  });
});
