import type { Usage } from '../providers/types.js';

/** Prices of one model, USD per 1M tokens. */
export interface ModelPrice {
  /** Uncached input tokens. */
  input: number;
  /** Generated tokens (reasoning tokens too, unless `reasoning` is set). */
  output: number;
  /** Input tokens read from the prompt cache (default: `input`). */
  cachedInput?: number;
  /** Input tokens written to the prompt cache, Anthropic (default: `input`). */
  cacheWrite?: number;
  /** Reasoning tokens, when priced apart from output (default: `output`). */
  reasoning?: number;
}

/** A price table that turns usage into USD. */
export interface Pricing {
  /**
   * Cost of one call in USD, or `undefined` when the model has no known price (never 0 for an
   * unknown model). Each `undefined` counts towards {@link Pricing.unpricedCount}.
   */
  cost(model: string, usage: Usage): number | undefined;
  /** The price a model resolves to (dated names and aliases → family), if any. */
  price(model: string): ModelPrice | undefined;
  /** The table key a model name resolves to, if any. */
  resolve(model: string): string | undefined;
  /** How many `cost` calls found no price. */
  unpricedCount(): number;
  /** Models that had no price, with how many calls each. */
  unpricedModels(): Record<string, number>;
}
