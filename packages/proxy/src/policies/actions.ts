import { type Finding, type Severity, severityRank } from '@llmtrace/core';
import type { EnforcementAction, EnforcementRule } from './types.js';

const ORDER: Record<EnforcementAction, number> = { log: 0, flag: 1, redact: 2, block: 3 };

function matches(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === type) return true;
  return pattern.endsWith('*') && type.startsWith(pattern.slice(0, -1));
}

/** The action for one finding: the first rule that matches its type and whose thresholds pass, else `log`. */
export function actionFor(finding: Finding, rules: readonly EnforcementRule[]): EnforcementAction {
  for (const rule of rules) {
    if (!matches(rule.match, finding.type)) continue;
    if (severityRank(finding.severity) < severityRank(rule.minSeverity ?? ('info' as Severity))) continue;
    if (finding.confidence < (rule.minConfidence ?? 0)) continue;
    return rule.action;
  }
  return 'log';
}

/** Findings grouped by the action they call for, plus the strongest action. */
export interface ActionPlan {
  strongest: EnforcementAction;
  byAction: Record<EnforcementAction, Finding[]>;
}

/** Decide every finding's action. */
export function planActions(findings: readonly Finding[], rules: readonly EnforcementRule[]): ActionPlan {
  const byAction: ActionPlan['byAction'] = { log: [], flag: [], redact: [], block: [] };
  let strongest: EnforcementAction = 'log';
  for (const f of findings) {
    const a = actionFor(f, rules);
    byAction[a].push(f);
    if (ORDER[a] > ORDER[strongest]) strongest = a;
  }
  return { strongest, byAction };
}

/** A short, secret-free summary of findings for a response header: `pii.email:medium,prompt_injection:high`. */
export function findingsSummary(findings: readonly Finding[], max = 8): string {
  const seen = new Map<string, Severity>();
  for (const f of findings) {
    const prev = seen.get(f.type);
    if (!prev || severityRank(f.severity) > severityRank(prev)) seen.set(f.type, f.severity);
  }
  return [...seen.entries()]
    .slice(0, max)
    .map(([t, s]) => `${t}:${s}`)
    .join(',');
}

/** The typed placeholder that replaces a redacted span of text. */
export function placeholder(type: string): string {
  return `[REDACTED:${type}]`;
}
