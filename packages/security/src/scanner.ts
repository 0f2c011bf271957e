import type { Finding, PromptMessage } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import { createCustomDetector } from './detectors/custom.js';
import { createLearnedDetector } from './detectors/learned.js';
import { BUILTIN_DETECTORS } from './detectors/registry.js';
import type { Detector, DetectorInput, RawFinding } from './detectors/types.js';
import type { LearnedModel } from './model/classifier.js';
import { loadDefaultModel } from './model/default-model.js';
import type { NormalizedText } from './normalize.js';
import { mapRange, normalizeText, unleet } from './normalize.js';
import { redactExcerpt } from './redact.js';
import { createScanCache, DEFAULT_CACHE_CHARS, type LocatedFinding } from './scan-cache.js';
import { DEFAULT_THRESHOLDS, scoreFindings, verdictFor } from './scoring.js';
import type { Scanner, ScannerOptions, ScannerStats, ScanOptions, ScanResult, ScanRole } from './types.js';

/** Advanced options (evaluation, tests): inject a model or extra detectors. */
export interface ScannerInternals {
  /** Use this model instead of the shipped one (e.g. a cross-validation fold). */
  model?: LearnedModel;
  /** Extra detectors appended to the built-ins. */
  extraDetectors?: readonly Detector[];
  /**
   * `false` turns off the speed-only shortcuts (pre-filters, memos) so that tests and benchmarks
   * can compare against the plain path; results are the same. Default `true`.
   */
  prefilters?: boolean;
}

const ROLES: ReadonlySet<string> = new Set(['user', 'assistant', 'system', 'tool']);
const LEET_HINT = /[a-z][013457@$|][a-z]|\b[013457@$][a-z]{2}/i;
const MAX_SCAN_CHARS = 4 * 1024 * 1024;

function toRole(role: string | undefined): ScanRole {
  if (role === 'developer') return 'system';
  if (role === 'function') return 'tool';
  return role && ROLES.has(role) ? (role as ScanRole) : 'user';
}

/**
 * Create a scanner. Throws `LLMTraceError('invalid_config')` for invalid custom rules or thresholds;
 * scanning itself never throws.
 *
 * @example
 * const scanner = createScanner({ thresholds: { flag: 40, block: 80 } });
 * scanner.scan('Ignore all previous instructions').verdict; // 'flag' or 'block'
 */
export function createScanner(options: ScannerOptions & ScannerInternals = {}): Scanner {
  const logger = options.logger ?? silentLogger;
  const thresholds = {
    flag: options.thresholds?.flag ?? DEFAULT_THRESHOLDS.flag,
    block: options.thresholds?.block ?? DEFAULT_THRESHOLDS.block,
  };
  const enabled = (name: string): boolean => options.detectors?.[name] ?? true;
  const detectors: Detector[] = BUILTIN_DETECTORS.filter((d) => enabled(d.name));
  if (enabled('learned') && options.learnedModel !== false) {
    const model = options.model;
    detectors.push(createLearnedDetector(model ? () => model : loadDefaultModel));
  }
  if (options.customRules && options.customRules.length > 0 && enabled('custom')) {
    detectors.push(createCustomDetector(options.customRules));
  }
  if (options.extraDetectors) detectors.push(...options.extraDetectors);
  const prefilters = options.prefilters ?? true;
  const attackDetectors = detectors.filter((d) => d.attack && d.name !== 'learned');
  const allow = (options.allowList ?? []).map((a) => (typeof a === 'string' ? a.toLowerCase() : a));

  const stats: ScannerStats = { scans: 0, detectorErrors: 0, errorsByDetector: {} };

  const runOne = (d: Detector, input: DetectorInput): RawFinding[] => {
    try {
      return d.detect(input);
    } catch (err) {
      // Fail open: a broken detector must never break the caller's request.
      stats.detectorErrors++;
      stats.errorsByDetector[d.name] = (stats.errorsByDetector[d.name] ?? 0) + 1;
      logger.warn('security detector failed', { detector: d.name, error: (err as Error)?.message });
      return [];
    }
  };

  const buildInput = (
    text: string,
    norm: NormalizedText,
    role: ScanRole,
    depth: number,
    systemPrompt?: string,
  ): DetectorInput => {
    const lower = norm.text.toLowerCase();
    const input: DetectorInput = {
      original: text,
      norm,
      lower,
      // Leetspeak attacks are short prompts; folding megabytes would only cost time.
      leet: norm.text.length <= 32 * 1024 && LEET_HINT.test(norm.text) ? unleet(norm.text) : null,
      role,
      systemPrompt,
      depth,
      prefilters,
      rescan: (decoded: string): RawFinding[] => {
        if (depth + 1 >= 4) return [];
        const n = normalizeText(decoded);
        const inner = buildInput(decoded, n, role, depth + 1);
        const out: RawFinding[] = [];
        for (const d of attackDetectors) if (d.roles.includes(role)) out.push(...runOne(d, inner));
        return out;
      },
    };
    return input;
  };

  const isAllowed = (matched: string): boolean => {
    if (allow.length === 0) return false;
    const lower = matched.toLowerCase();
    for (const a of allow) {
      if (typeof a === 'string') {
        if (lower === a || lower.includes(a)) return true;
      } else {
        a.lastIndex = 0;
        if (a.test(matched)) return true;
      }
    }
    return false;
  };

  const cache = createScanCache(options.cacheChars ?? DEFAULT_CACHE_CHARS);

  /** {@link scanUncached}, remembered per (text, role, context); locations are per call. */
  const scanText = (
    raw: string,
    role: ScanRole,
    side: 'request' | 'response',
    messageIndex: number | undefined,
    systemPrompt?: string,
  ): Finding[] => {
    const key = cache.key(raw, role, systemPrompt);
    let found = key === undefined ? undefined : cache.get(key);
    if (!found) {
      found = scanUncached(raw, role, systemPrompt);
      if (key !== undefined) cache.set(key, found);
    }
    return found.map(({ start, end, ...f }) => ({
      ...f,
      location: messageIndex === undefined ? { side, start, end } : { side, messageIndex, start, end },
    }));
  };

  /** Findings of one text, with offsets but no location (that depends on where the text was). */
  const scanUncached = (raw: string, role: ScanRole, systemPrompt?: string): LocatedFinding[] => {
    const text = raw.length > MAX_SCAN_CHARS ? raw.slice(0, MAX_SCAN_CHARS) : raw;
    const norm = normalizeText(text);
    const input = buildInput(text, norm, role, 0, systemPrompt);
    const raws: Array<RawFinding & { detector: string }> = [];
    let attackFound = false;
    for (const d of detectors) {
      if (!d.roles.includes(role)) continue;
      for (const f of runOne(d, input)) {
        raws.push({ ...f, detector: d.name });
        if (d.attack && f.confidence >= 0.6 && f.severity !== 'low' && f.severity !== 'info')
          attackFound = true;
      }
    }
    // The smuggling itself is a finding; it is serious when it hides an attack.
    if (enabled('encoding')) {
      for (const ev of norm.evasions) {
        if (ev.kind === 'unicode_tags') continue; // reported by the encoding detector
        raws.push({
          type: 'encoding_attack',
          severity: attackFound ? 'high' : 'low',
          confidence: attackFound ? 0.85 : 0.5,
          start: ev.start,
          end: ev.end,
          original: true,
          message: `Unicode evasion (${ev.kind.replace('_', '-')})${attackFound ? ' around an attack' : ''}`,
          detector: 'encoding',
        });
      }
    }
    const seen = new Set<string>();
    const findings: LocatedFinding[] = [];
    for (const f of raws) {
      const { start, end } = f.original ? { start: f.start, end: f.end } : mapRange(norm, f.start, f.end);
      const key = `${f.type}|${start}|${end}|${f.detector}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (isAllowed(text.slice(start, end))) continue;
      findings.push({
        type: f.type,
        severity: f.severity,
        confidence: f.confidence,
        detector: f.detector,
        start,
        end,
        excerpt: redactExcerpt(text, start, end, f.type),
        message: f.message,
      });
    }
    return findings;
  };

  const result = (findings: Finding[]): ScanResult => {
    const score = scoreFindings(findings);
    return { findings, score, verdict: verdictFor(score, thresholds) };
  };

  const safe = (fn: () => Finding[]): ScanResult => {
    stats.scans++;
    try {
      return result(fn());
    } catch (err) {
      stats.detectorErrors++;
      logger.warn('security scan failed', { error: (err as Error)?.message });
      return { findings: [], score: 0, verdict: 'allow' };
    }
  };

  const credentialLeak = (findings: Finding[]): Finding[] => {
    const secrets = findings.filter((f) => f.type.startsWith('secret.'));
    const first = secrets[0];
    if (!first?.location) return findings;
    return [
      ...findings,
      {
        type: 'leak.credentials',
        severity: 'critical',
        confidence: Math.max(...secrets.map((f) => f.confidence)),
        detector: 'leakage',
        location: { ...first.location },
        excerpt: first.excerpt,
        message: `Response contains ${secrets.length} credential(s)`,
      },
    ];
  };

  return {
    scan(text: string, opts: ScanOptions = {}): ScanResult {
      const role = toRole(opts.role);
      const side = role === 'assistant' ? 'response' : 'request';
      return safe(() => {
        const findings = scanText(String(text ?? ''), role, side, undefined, opts.systemPrompt);
        return role === 'assistant' ? credentialLeak(findings) : findings;
      });
    },
    scanMessages(messages: readonly PromptMessage[]): ScanResult {
      return safe(() => {
        const out: Finding[] = [];
        const systemPrompt = messages
          .filter((m) => m.role === 'system' || m.role === 'developer')
          .map((m) => m.content)
          .join('\n');
        messages.forEach((m, i) => {
          // System text is trusted context: scanned only for secrets/PII, not for attacks.
          const role = toRole(m.role);
          out.push(
            ...scanText(
              String(m.content ?? ''),
              role,
              'request',
              i,
              role === 'assistant' ? systemPrompt || undefined : undefined,
            ),
          );
        });
        return out;
      });
    },
    scanResponse(text: string, context: { systemPrompt?: string } = {}): ScanResult {
      return safe(() =>
        credentialLeak(
          scanText(String(text ?? ''), 'assistant', 'response', undefined, context.systemPrompt),
        ),
      );
    },
    stats(): ScannerStats {
      return { ...stats, errorsByDetector: { ...stats.errorsByDetector } };
    },
  };
}
