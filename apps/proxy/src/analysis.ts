import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@llmtrace/core';
import { createPricing, type Pricing } from '@llmtrace/gateway';
import { createScanner, type Scanner } from '@llmtrace/security';
import type { Config } from './config/index.js';

/** The security scanner the config asks for (none when security is off). */
export function scannerFromConfig(config: Config, logger: Logger): Scanner | undefined {
  const s = config.security;
  if (!s.enabled) return undefined;
  const scanner = createScanner({
    thresholds: { flag: s.flag_threshold, block: s.block_threshold },
    learnedModel: s.learned_model,
    cacheChars: s.scan_cache_chars,
    detectors: s.detectors,
    customRules: s.custom_rules,
    allowList: s.allow_list,
    logger,
  });
  if (s.warm_up_calls > 0) {
    // Right after start, V8 would optimize the scanner's code over the first thousands of real
    // calls, on the cores that serve them; do it now, before the proxy listens.
    const t = performance.now();
    scanner.warmUp(s.warm_up_calls);
    logger.info('security scanner warmed up', {
      calls: s.warm_up_calls,
      ms: Math.round(performance.now() - t),
    });
  }
  return scanner;
}

/** The price table: the bundled prices, a pricing file, and per-model overrides from the config. */
export function pricingFromConfig(config: Config): Pricing {
  return createPricing({
    pricingFile: config.pricing.file,
    overrides: Object.fromEntries(
      Object.entries(config.pricing.models).map(([model, p]) => [
        model,
        { input: p.input, output: p.output, cachedInput: p.cached_input, reasoning: p.reasoning },
      ]),
    ),
  });
}

/** What the analysis worker is started with. */
export interface AnalysisWorkerData {
  config: Config;
}

/**
 * The built analysis worker script, next to the bundle that imports this module. Running from
 * sources (tests) there is none, and spans are built on the main thread.
 */
export function analysisWorkerScript(): URL | undefined {
  const url = new URL('./analysis-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}
