import type { Finding, Severity } from '@llmtrace/core';
import type { Verdict } from './types.js';

/** Risk contributed by one finding of each severity at confidence 1 (0–1). */
export const SEVERITY_RISK: Readonly<Record<Severity, number>> = {
  info: 0.02,
  low: 0.12,
  medium: 0.45,
  high: 0.8,
  critical: 0.97,
};

/** Default thresholds: `flag` at 50, `block` at 85. */
export const DEFAULT_THRESHOLDS = { flag: 50, block: 85 } as const;

/**
 * Combine findings into a 0–100 score: a noisy-OR over per-finding risks
 * (`severity risk × confidence`), so independent weak signals add up but never exceed 100.
 */
export function scoreFindings(findings: readonly Finding[]): number {
  // Repeats of the same rule count once (its strongest hit); distinct rules and detectors add up.
  const strongest = new Map<string, number>();
  for (const f of findings) {
    const risk = SEVERITY_RISK[f.severity] * Math.max(0, Math.min(1, f.confidence));
    const key = `${f.detector}|${f.type}|${f.message}`;
    strongest.set(key, Math.max(strongest.get(key) ?? 0, risk));
  }
  let keep = 1;
  for (const risk of strongest.values()) keep *= 1 - risk;
  return Math.round((1 - keep) * 1000) / 10;
}

/** Verdict for a score given thresholds. */
export function verdictFor(score: number, thresholds: { flag: number; block: number }): Verdict {
  if (score >= thresholds.block) return 'block';
  if (score >= thresholds.flag) return 'flag';
  return 'allow';
}
