import { readFileSync } from 'node:fs';
import { type Logger, silentLogger } from '@llmtrace/core';
import { z } from 'zod';
import type { Usage } from '../providers/types.js';
import { MODEL_ALIASES, MODEL_PRICES } from './price-table.js';
import type { ModelPrice, Pricing } from './types.js';

/** Options for {@link createPricing}. */
export interface PricingOptions {
  /** Per-model prices that replace or extend the built-in table (e.g. self-hosted models). */
  overrides?: Record<string, ModelPrice>;
  /**
   * JSON file with `{ "models": { name: price }, "aliases": { name: family } }` (or just a
   * `{ name: price }` map). Price keys: `input`, `output`, `cached_input`/`cachedInput`,
   * `cache_write`/`cacheWrite`, `reasoning`. Applied over the built-in table, under `overrides`.
   */
  pricingFile?: string;
  /** Leave out the built-in table (default false). */
  noDefaults?: boolean;
  /** Warned once per model that has no price (default: silent). */
  logger?: Logger;
}

const price = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative().default(0),
    cachedInput: z.number().nonnegative().optional(),
    cached_input: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
    cache_write: z.number().nonnegative().optional(),
    reasoning: z.number().nonnegative().optional(),
  })
  .strict()
  .transform((p): ModelPrice => {
    const out: ModelPrice = { input: p.input, output: p.output };
    const cached = p.cachedInput ?? p.cached_input;
    if (cached !== undefined) out.cachedInput = cached;
    const write = p.cacheWrite ?? p.cache_write;
    if (write !== undefined) out.cacheWrite = write;
    if (p.reasoning !== undefined) out.reasoning = p.reasoning;
    return out;
  });
const prices = z.record(z.string(), price);
const pricingFileSchema = z.union([
  z.object({ models: prices, aliases: z.record(z.string(), z.string()).optional() }).passthrough(),
  prices,
]);

function loadPricingFile(file: string): {
  models: Record<string, ModelPrice>;
  aliases: Record<string, string>;
} {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`pricing_file: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = pricingFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `pricing_file: ${file}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
    );
  }
  const data = parsed.data;
  if ('models' in data && typeof data.models === 'object' && !('input' in data.models)) {
    const d = data as { models: Record<string, ModelPrice>; aliases?: Record<string, string> };
    return { models: d.models, aliases: d.aliases ?? {} };
  }
  return { models: data as Record<string, ModelPrice>, aliases: {} };
}

// Suffixes that name a snapshot of a family rather than a different model.
const SNAPSHOT_SUFFIXES = [
  /-\d{4}-\d{2}-\d{2}$/, // gpt-4o-2024-08-06
  /-\d{8}$/, // claude-sonnet-4-5-20250929
  /-\d{4}(?=-preview$|$)/, // gpt-4-0613, gpt-4-1106-preview
  /-latest$/, // claude-3-5-sonnet-latest
  /-preview$/,
];

/**
 * Build a price table: the built-in published prices, then `pricingFile`, then `overrides`.
 * Model names resolve case-insensitively through exact names, aliases, a provider prefix
 * (`openai/gpt-4o`) and snapshot suffixes (`gpt-4o-2024-08-06` → `gpt-4o`,
 * `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`). Nothing is guessed beyond that: an
 * unknown model costs `undefined`, never $0.
 *
 * @example
 * const pricing = createPricing({ overrides: { 'llama-3.1-70b': { input: 0.2, output: 0.2 } } });
 * pricing.cost('gpt-4o-2024-08-06', { promptTokens: 1000, completionTokens: 100, totalTokens: 1100 }); // 0.0035
 */
export function createPricing(options: PricingOptions = {}): Pricing {
  const table = new Map<string, ModelPrice>();
  const aliases = new Map<string, string>();
  if (!options.noDefaults) {
    for (const [k, v] of Object.entries(MODEL_PRICES)) table.set(k.toLowerCase(), v);
    for (const [k, v] of Object.entries(MODEL_ALIASES)) aliases.set(k.toLowerCase(), v.toLowerCase());
  }
  if (options.pricingFile) {
    const file = loadPricingFile(options.pricingFile);
    for (const [k, v] of Object.entries(file.models)) table.set(k.toLowerCase(), v);
    for (const [k, v] of Object.entries(file.aliases)) aliases.set(k.toLowerCase(), v.toLowerCase());
  }
  for (const [k, v] of Object.entries(options.overrides ?? {}))
    table.set(k.toLowerCase(), prices.parse({ [k]: v })[k] as ModelPrice);

  const logger = options.logger ?? silentLogger;
  const cache = new Map<string, string | null>();
  const unpriced = new Map<string, number>();

  const lookup = (name: string): string | undefined => {
    if (table.has(name)) return name;
    const alias = aliases.get(name);
    return alias !== undefined && table.has(alias) ? alias : undefined;
  };

  const resolveUncached = (model: string): string | undefined => {
    let name = model.trim().toLowerCase();
    const direct = lookup(name);
    if (direct) return direct;
    // `openai/gpt-4o`, `anthropic/claude-…` (gateways and routers prefix the vendor).
    const slash = name.lastIndexOf('/');
    if (slash !== -1) {
      name = name.slice(slash + 1);
      const bare = lookup(name);
      if (bare) return bare;
    }
    for (const suffix of SNAPSHOT_SUFFIXES) {
      const stripped = name.replace(suffix, '');
      if (stripped !== name) {
        name = stripped;
        const found = lookup(name);
        if (found) return found;
      }
    }
    return undefined;
  };

  const resolve = (model: string): string | undefined => {
    let hit = cache.get(model);
    if (hit === undefined) {
      hit = resolveUncached(model) ?? null;
      if (cache.size < 10_000) cache.set(model, hit);
    }
    return hit ?? undefined;
  };

  return {
    resolve,
    price: (model) => {
      const key = resolve(model);
      return key === undefined ? undefined : table.get(key);
    },
    cost(model: string, usage: Usage): number | undefined {
      const key = resolve(model);
      const p = key === undefined ? undefined : table.get(key);
      if (!p) {
        const seen = unpriced.get(model) ?? 0;
        if (seen === 0) logger.warn('model has no known price; its cost is left empty', { model });
        unpriced.set(model, seen + 1);
        return undefined;
      }
      return costOf(p, usage);
    },
    unpricedCount: () => [...unpriced.values()].reduce((a, b) => a + b, 0),
    unpricedModels: () => Object.fromEntries(unpriced),
  };
}

/** USD for one call at the given prices (per 1M tokens). */
export function costOf(p: ModelPrice, usage: Usage): number {
  const cached = usage.cachedTokens ?? 0;
  const written = usage.cacheCreationTokens ?? 0;
  const uncached = Math.max(0, usage.promptTokens - cached - written);
  const reasoning = usage.reasoningTokens ?? 0;
  const output = Math.max(0, usage.completionTokens - (p.reasoning !== undefined ? reasoning : 0));
  const micro =
    uncached * p.input +
    cached * (p.cachedInput ?? p.input) +
    written * (p.cacheWrite ?? p.input) +
    output * p.output +
    (p.reasoning !== undefined ? reasoning * p.reasoning : 0);
  return micro / 1_000_000;
}
