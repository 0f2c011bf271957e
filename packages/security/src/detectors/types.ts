import type { Severity } from '@llmtrace/core';
import type { NormalizedText } from '../normalize.js';
import type { ScanRole } from '../types.js';

/** A finding as a detector reports it: offsets are in normalised-text coordinates. */
export interface RawFinding {
  type: string;
  severity: Severity;
  /** 0–1. */
  confidence: number;
  start: number;
  end: number;
  message: string;
  /** Set when the offsets are already original-text offsets (no mapping needed). */
  original?: boolean;
}

/** What a detector sees. */
export interface DetectorInput {
  /** The text exactly as received. */
  original: string;
  norm: NormalizedText;
  /** Lower-cased normalised text, for cheap keyword pre-filters only (lengths may differ). */
  lower: string;
  /** Leetspeak-folded normalised text (same length as `norm.text`), or null if nothing to fold. */
  leet: string | null;
  role: ScanRole;
  systemPrompt?: string;
  /** Nesting depth of decoded payloads (0 = the text as sent). */
  depth: number;
  /** Re-run the attack detectors on a decoded payload (used by the encoding detector). */
  rescan(text: string): RawFinding[];
}

/** A detector: pure, synchronous; returns findings and should not throw (the scanner guards anyway). */
export interface Detector {
  name: string;
  /** Roles this detector runs for. */
  roles: readonly ScanRole[];
  /** Whether findings from this detector count as attacks (re-scanned inside decoded payloads). */
  attack: boolean;
  detect(input: DetectorInput): RawFinding[];
}

/** One regex rule with a cheap keyword pre-filter. */
export interface PatternRule {
  id: string;
  type: string;
  severity: Severity;
  confidence: number;
  /** Lower-case substrings; the regex only runs if one occurs in the lower-cased text. */
  keywords: readonly string[];
  /**
   * Must carry the `g` flag. Lower-case source matched against the lower-cased text (unless
   * `caseSensitive`). Written without nested quantifiers (linear in practice).
   */
  pattern: RegExp;
  /** Match the original-case text instead (e.g. upper-case persona names). */
  caseSensitive?: boolean;
  message: string;
}

const MAX_MATCHES_PER_RULE = 50;
const insensitiveCache = new WeakMap<RegExp, RegExp>();

function insensitive(re: RegExp): RegExp {
  let copy = insensitiveCache.get(re);
  if (!copy) {
    copy = new RegExp(re.source, `${re.flags}i`);
    insensitiveCache.set(re, copy);
  }
  return copy;
}

/**
 * Run pattern rules on `text` (normalised coordinates). The keyword pre-filter keeps large clean
 * documents fast: most rules never run their regex.
 */
export function runRules(rules: readonly PatternRule[], text: string, lower: string): RawFinding[] {
  const out: RawFinding[] = [];
  for (const rule of rules) {
    let hit = false;
    for (const k of rule.keywords) {
      if (lower.includes(k)) {
        hit = true;
        break;
      }
    }
    if (!hit) continue;
    // Lower-casing can change the length of a few characters (e.g. U+0130); then fall back to a
    // case-insensitive copy of the pattern on the original text so offsets stay right.
    const sameLength = lower.length === text.length;
    const pattern = rule.caseSensitive || sameLength ? rule.pattern : insensitive(rule.pattern);
    const subject = rule.caseSensitive || !sameLength ? text : lower;
    pattern.lastIndex = 0;
    let count = 0;
    for (let m = pattern.exec(subject); m !== null; m = pattern.exec(subject)) {
      if (m[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      out.push({
        type: rule.type,
        severity: rule.severity,
        confidence: rule.confidence,
        start: m.index,
        end: m.index + m[0].length,
        message: rule.message,
      });
      if (++count >= MAX_MATCHES_PER_RULE) break;
    }
  }
  return out;
}
