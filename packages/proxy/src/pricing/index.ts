export { MODEL_ALIASES, MODEL_PRICES, PRICE_TABLE_AS_OF } from './price-table.js';
export { costOf, createPricing, type PricingOptions } from './pricing.js';
export type { ModelPrice, Pricing } from './types.js';
