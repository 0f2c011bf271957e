import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_PRICES } from './price-table.js';
import { createPricing } from './pricing.js';

const usage = (promptTokens: number, completionTokens: number, extra: Record<string, number> = {}) => ({
  promptTokens,
  completionTokens,
  totalTokens: promptTokens + completionTokens,
  ...extra,
});

describe('createPricing', () => {
  const pricing = createPricing();

  it('costs a known model from its per-1M prices', () => {
    expect(pricing.cost('gpt-4o', usage(1_000_000, 1_000_000))).toBeCloseTo(2.5 + 10, 10);
    expect(pricing.cost('gpt-4o-mini', usage(1000, 500))).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 15);
  });

  it('resolves dated names, -latest, aliases, provider prefixes and case to the family', () => {
    expect(pricing.resolve('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(pricing.resolve('gpt-4o-mini-2024-07-18')).toBe('gpt-4o-mini');
    expect(pricing.resolve('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(pricing.resolve('claude-3-5-haiku-latest')).toBe('claude-3-5-haiku');
    expect(pricing.resolve('gpt-4-0613')).toBe('gpt-4');
    expect(pricing.resolve('gpt-4-1106-preview')).toBe('gpt-4');
    expect(pricing.resolve('gpt-4-turbo-preview')).toBe('gpt-4-turbo');
    expect(pricing.resolve('openai/GPT-4.1-mini')).toBe('gpt-4.1-mini');
    expect(pricing.resolve('claude-sonnet-4.5')).toBe('claude-sonnet-4-5');
  });

  it('keeps a snapshot with its own price apart from the family', () => {
    expect(pricing.resolve('gpt-4o-2024-05-13')).toBe('gpt-4o-2024-05-13');
    expect(pricing.price('gpt-4o-2024-05-13')?.input).toBe(5);
  });

  it('does not guess: look-alike names stay unpriced', () => {
    expect(pricing.resolve('gpt-4o-mini-tts')).toBeUndefined();
    expect(pricing.resolve('ft:gpt-4o-mini-2024-07-18:org::abc')).toBeUndefined();
    expect(pricing.resolve('llama-3.1-70b')).toBeUndefined();
  });

  it('an unknown model costs undefined (never 0), is counted, and is warned about once', () => {
    const warnings: unknown[] = [];
    const noop = () => {};
    const p = createPricing({
      logger: { debug: noop, info: noop, error: noop, warn: (_m, f) => warnings.push(f) },
    });
    expect(p.cost('my-private-model', usage(10, 10))).toBeUndefined();
    expect(p.cost('my-private-model', usage(10, 10))).toBeUndefined();
    expect(p.cost('other-model', usage(1, 1))).toBeUndefined();
    expect(p.unpricedCount()).toBe(3);
    expect(p.unpricedModels()).toEqual({ 'my-private-model': 2, 'other-model': 1 });
    expect(warnings).toEqual([{ model: 'my-private-model' }, { model: 'other-model' }]);
    expect(p.cost('gpt-4o', usage(0, 0))).toBe(0);
    expect(p.unpricedCount()).toBe(3);
  });

  it('prices cached input, Anthropic cache writes and distinct reasoning prices', () => {
    // 1M prompt of which 400k cached: OpenAI gpt-4.1 cached input is 0.5, input 2.
    expect(pricing.cost('gpt-4.1', usage(1_000_000, 0, { cachedTokens: 400_000 }))).toBeCloseTo(
      0.6 * 2 + 0.4 * 0.5,
      10,
    );
    // Claude Opus 4.1: input 15, cache read 1.5, cache write 18.75, output 75.
    expect(
      pricing.cost(
        'claude-opus-4-1',
        usage(1_300_000, 100_000, { cachedTokens: 1_000_000, cacheCreationTokens: 200_000 }),
      ),
    ).toBeCloseTo(0.1 * 15 + 1 * 1.5 + 0.2 * 18.75 + 0.1 * 75, 10);
    const custom = createPricing({ overrides: { thinker: { input: 1, output: 2, reasoning: 10 } } });
    expect(custom.cost('thinker', usage(0, 1_000_000, { reasoningTokens: 250_000 }))).toBeCloseTo(
      0.75 * 2 + 0.25 * 10,
      10,
    );
    // Without a distinct reasoning price, reasoning tokens are output tokens.
    expect(pricing.cost('o3', usage(0, 1_000_000, { reasoningTokens: 900_000 }))).toBeCloseTo(8, 10);
  });

  it('overrides replace and extend the table; a pricing file sits between table and overrides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmtrace-pricing-'));
    const file = join(dir, 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({
        models: {
          'gpt-4o': { input: 1, output: 1, cached_input: 0.5 },
          'qwen2.5-72b': { input: 0.3, output: 0.4 },
        },
        aliases: { qwen: 'qwen2.5-72b' },
      }),
    );
    const p = createPricing({ pricingFile: file, overrides: { 'qwen2.5-72b': { input: 0.1, output: 0.1 } } });
    expect(p.price('gpt-4o')).toEqual({ input: 1, output: 1, cachedInput: 0.5 });
    expect(p.cost('qwen', usage(1_000_000, 1_000_000))).toBeCloseTo(0.2, 10);
    expect(p.price('gpt-4o-mini')).toEqual(MODEL_PRICES['gpt-4o-mini']);
  });

  it('rejects a pricing file with a bad price, naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmtrace-pricing-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ models: { m: { input: -1, output: 1 } } }));
    expect(() => createPricing({ pricingFile: file })).toThrow(/pricing_file: .*m\.input/);
    expect(() => createPricing({ pricingFile: join(dir, 'missing.json') })).toThrow(
      /pricing_file: cannot read/,
    );
  });

  it('every table entry has non-negative prices and every alias points at a priced family', async () => {
    const { MODEL_ALIASES } = await import('./price-table.js');
    for (const [name, price] of Object.entries(MODEL_PRICES)) {
      expect(price.input, name).toBeGreaterThanOrEqual(0);
      expect(price.output, name).toBeGreaterThanOrEqual(0);
    }
    for (const [alias, family] of Object.entries(MODEL_ALIASES))
      expect(MODEL_PRICES[family], alias).toBeDefined();
  });
});
