import { LLMTraceError } from '@llmtrace/core';
import { unsafeRegexReason } from '../regex-safety.js';
import type { CustomRule, ScanRole } from '../types.js';
import type { Detector, DetectorInput, RawFinding } from './types.js';

const ALL_ROLES: readonly ScanRole[] = ['user', 'assistant', 'system', 'tool'];

interface Compiled {
  type: string;
  severity: RawFinding['severity'];
  pattern: RegExp;
  roles: readonly ScanRole[];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compile custom rules into a detector. Throws `LLMTraceError('invalid_config')` naming the rule
 * when a pattern is invalid or could backtrack catastrophically.
 */
export function createCustomDetector(rules: readonly CustomRule[]): Detector {
  const compiled: Compiled[] = rules.map((rule, i) => {
    const type = rule.name.includes('.') ? rule.name : `custom.${rule.name}`;
    const where = `customRules[${i}] (${rule.name})`;
    let source: string;
    if (rule.pattern !== undefined) {
      const reason = unsafeRegexReason(rule.pattern);
      if (reason) throw new LLMTraceError('invalid_config', `${where}: unsafe pattern: ${reason}`);
      source = rule.pattern;
    } else if (rule.keywords && rule.keywords.length > 0) {
      source = `(?<![\\p{L}\\p{N}_])(?:${rule.keywords.map(escapeRegex).join('|')})(?![\\p{L}\\p{N}_])`;
    } else {
      throw new LLMTraceError('invalid_config', `${where}: needs a pattern or keywords`);
    }
    let pattern: RegExp;
    try {
      pattern = new RegExp(source, 'giu');
    } catch (err) {
      throw new LLMTraceError('invalid_config', `${where}: invalid pattern: ${(err as Error).message}`);
    }
    return { type, severity: rule.severity ?? 'medium', pattern, roles: rule.roles ?? ALL_ROLES };
  });

  return {
    name: 'custom',
    roles: ALL_ROLES,
    attack: false,
    detect(input: DetectorInput): RawFinding[] {
      const out: RawFinding[] = [];
      for (const rule of compiled) {
        if (!rule.roles.includes(input.role)) continue;
        rule.pattern.lastIndex = 0;
        let count = 0;
        for (let m = rule.pattern.exec(input.norm.text); m !== null; m = rule.pattern.exec(input.norm.text)) {
          if (m[0].length === 0) {
            rule.pattern.lastIndex++;
            continue;
          }
          out.push({
            type: rule.type,
            severity: rule.severity,
            confidence: 0.9,
            start: m.index,
            end: m.index + m[0].length,
            message: `Custom rule ${rule.type}`,
          });
          if (++count >= 100) break;
        }
      }
      return out;
    },
  };
}
