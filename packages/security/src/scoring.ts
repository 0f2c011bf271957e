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
 *
 * @example
 * scoreFindings([{ type: 'jailbreak', severity: 'high', confidence: 1, detector: 'jailbreak', message: 'x' }]); // 80
 */
export function scoreFindings(findings: readonly Finding[]): number {
  // Repeats of the same rule count once (its strongest hit); distinct rules and detectors add up.
  // Few findings is the rule: compare fields in a short list instead of building a key per finding.
  if (findings.length > LINEAR_LIMIT || findings.some(hasSeparator)) return scoreByKeys(findings);
  const rules: Finding[] = [];
  const risks: number[] = [];
  for (const f of findings) {
    const risk = SEVERITY_RISK[f.severity] * Math.max(0, Math.min(1, f.confidence));
    let k = 0;
    while (k < rules.length && !sameRule(rules[k]!, f)) k++;
    if (k === rules.length) {
      rules.push(f);
      risks.push(Math.max(0, risk));
    } else risks[k] = Math.max(risks[k]!, risk);
  }
  let keep = 1;
  for (const risk of risks) keep *= 1 - risk;
  return Math.round((1 - keep) * 1000) / 10;
}

const LINEAR_LIMIT = 64;

/**
 * Whether two different rules could share a joined key: a rule field holds the separator, or is not
 * a string at all (the key would hold its string form).
 */
const hasSeparator = (f: Finding): boolean =>
  typeof f.detector !== 'string' ||
  typeof f.type !== 'string' ||
  typeof f.message !== 'string' ||
  f.detector.includes('|') ||
  f.type.includes('|') ||
  f.message.includes('|');

const sameRule = (a: Finding, b: Finding): boolean =>
  a.detector === b.detector && a.type === b.type && a.message === b.message;

/** {@link scoreFindings} keyed by joined strings: many findings, or fields that hold the separator. */
function scoreByKeys(findings: readonly Finding[]): number {
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
