import type { Finding, PromptMessage } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import { createCustomDetector } from './detectors/custom.js';
import { createLearnedDetector } from './detectors/learned.js';
import { BUILTIN_DETECTORS } from './detectors/registry.js';
import type { Detector, DetectorInput, RawFinding } from './detectors/types.js';
import type { LearnedModel } from './model/classifier.js';
import { loadDefaultModel } from './model/default-model.js';
import type { NormalizedText } from './normalize.js';
import { mapRange, mayHoldLeet, normalizeText, unleet } from './normalize.js';
import { redactExcerpt } from './redact.js';
import { createScanCache, createSightings, DEFAULT_CACHE_CHARS, type LocatedFinding } from './scan-cache.js';
import { DEFAULT_THRESHOLDS, scoreFindings, verdictFor } from './scoring.js';
import type { Scanner, ScannerOptions, ScannerStats, ScanOptions, ScanResult, ScanRole } from './types.js';
import { warmUpCall } from './warm-up.js';

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
const MAX_SCAN_CHARS = 4 * 1024 * 1024;

// Up to this many findings per text, duplicates are found by a linear search (see scanUncached).
const LINEAR_DEDUPE = 32;

/** The identity of a finding for deduplication: type, range and detector. */
const dedupeKey = (type: string, start: number, end: number, detector: string): string =>
  `${type}|${start}|${end}|${detector}`;

/** Whether `findings` already has one with this type, range and detector. */
function isDuplicate(
  findings: readonly LocatedFinding[],
  type: string,
  start: number,
  end: number,
  detector: string,
): boolean {
  for (const f of findings)
    if (f.start === start && f.end === end && f.type === type && f.detector === detector) return true;
  return false;
}

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
  // While warming up (see `warmUp`): no cache, no counts.
  let warming = false;

  const runOne = (d: Detector, input: DetectorInput): RawFinding[] => {
    try {
      return d.detect(input);
    } catch (err) {
      // Fail open: a broken detector must never break the caller's request.
      if (!warming) {
        stats.detectorErrors++;
        stats.errorsByDetector[d.name] = (stats.errorsByDetector[d.name] ?? 0) + 1;
      }
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
      leet: norm.text.length <= 32 * 1024 && mayHoldLeet(norm.text) ? unleet(norm.text) : null,
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

  const isAllowed = (text: string, start: number, end: number): boolean => {
    if (allow.length === 0) return false;
    const matched = text.slice(start, end);
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

  const cacheChars = options.cacheChars ?? DEFAULT_CACHE_CHARS;
  const cache = createScanCache(cacheChars);
  // Texts are remembered from their second sighting on (see createSightings).
  const seen = cacheChars > 0 ? createSightings() : undefined;

  /** {@link scanUncached}, remembered per (text, role, context); locations are per call. */
  const scanText = (
    raw: string,
    role: ScanRole,
    side: 'request' | 'response',
    messageIndex: number | undefined,
    systemPrompt?: string,
  ): Finding[] => {
    let found = warming ? undefined : cache.get(raw, role, systemPrompt);
    if (!found) {
      found = scanUncached(raw, role, systemPrompt);
      if (!warming && seen?.again(raw, role, systemPrompt)) cache.set(raw, role, systemPrompt, found);
    }
    // Field by field rather than rest and spread: same keys in the same order, far cheaper.
    const out: Finding[] = new Array(found.length);
    for (let i = 0; i < found.length; i++) {
      const f = found[i]!;
      out[i] = {
        type: f.type,
        severity: f.severity,
        confidence: f.confidence,
        detector: f.detector,
        excerpt: f.excerpt,
        message: f.message,
        location:
          messageIndex === undefined
            ? { side, start: f.start, end: f.end }
            : { side, messageIndex, start: f.start, end: f.end },
      };
    }
    return out;
  };

  /** Findings of one text, with offsets but no location (that depends on where the text was). */
  const scanUncached = (raw: string, role: ScanRole, systemPrompt?: string): LocatedFinding[] => {
    const text = raw.length > MAX_SCAN_CHARS ? raw.slice(0, MAX_SCAN_CHARS) : raw;
    const norm = normalizeText(text);
    const input = buildInput(text, norm, role, 0, systemPrompt);
    const raws: RawFinding[] = [];
    // The detector of each raw finding, by index (no copy of every finding to tag it).
    const rawDetectors: string[] = [];
    let attackFound = false;
    for (const d of detectors) {
      if (!d.roles.includes(role)) continue;
      for (const f of runOne(d, input)) {
        raws.push(f);
        rawDetectors.push(d.name);
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
        });
        rawDetectors.push('encoding');
      }
    }
    const findings: LocatedFinding[] = [];
    // Findings seen so far, kept or dropped by the allow-list (a drop depends only on the offsets,
    // so a repeat is dropped again). Few texts have many findings: a linear search over the kept
    // ones beats building a key string per finding; the set only takes over for long lists.
    let seen: Set<string> | undefined;
    for (let i = 0; i < raws.length; i++) {
      const f = raws[i]!;
      const detector = rawDetectors[i]!;
      let start = f.start;
      let end = f.end;
      if (!f.original && norm.starts) {
        const mapped = mapRange(norm, f.start, f.end);
        start = mapped.start;
        end = mapped.end;
      }
      if (seen) {
        const key = dedupeKey(f.type, start, end, detector);
        if (seen.has(key)) continue;
        seen.add(key);
      } else if (isDuplicate(findings, f.type, start, end, detector)) continue;
      else if (findings.length >= LINEAR_DEDUPE) {
        seen = new Set();
        for (const k of findings) seen.add(dedupeKey(k.type, k.start, k.end, k.detector));
        seen.add(dedupeKey(f.type, start, end, detector));
      }
      if (isAllowed(text, start, end)) continue;
      findings.push({
        type: f.type,
        severity: f.severity,
        confidence: f.confidence,
        detector,
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
    if (!warming) stats.scans++;
    try {
      return result(fn());
    } catch (err) {
      stats.detectorErrors++;
      logger.warn('security scan failed', { error: (err as Error)?.message });
      return { findings: [], score: 0, verdict: 'allow' };
    }
  };

  const credentialLeak = (findings: Finding[]): Finding[] => {
    let first: Finding | undefined;
    let count = 0;
    let confidence = -Infinity;
    for (const f of findings) {
      if (!f.type.startsWith('secret.')) continue;
      first ??= f;
      count++;
      confidence = Math.max(confidence, f.confidence);
    }
    if (!first?.location) return findings;
    return [
      ...findings,
      {
        type: 'leak.credentials',
        severity: 'critical',
        confidence,
        detector: 'leakage',
        location: { ...first.location },
        excerpt: first.excerpt,
        message: `Response contains ${count} credential(s)`,
      },
    ];
  };

  const scanner: Scanner = {
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
        for (let i = 0; i < messages.length; i++) {
          if (!(i in messages)) continue; // a hole, skipped as forEach would
          const m = messages[i]!;
          // System text is trusted context: scanned only for secrets/PII, not for attacks.
          const role = toRole(m.role);
          const found = scanText(
            String(m.content ?? ''),
            role,
            'request',
            i,
            role === 'assistant' ? systemPrompt || undefined : undefined,
          );
          for (const f of found) out.push(f);
        }
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
    warmUp(calls = DEFAULT_WARM_UP_CALLS): void {
      warming = true;
      try {
        for (let i = 0; i < calls; i++) {
          const call = warmUpCall(i);
          scanner.scanMessages(call.messages);
          scanner.scanResponse(call.reply, { systemPrompt: call.systemPrompt });
        }
      } finally {
        warming = false;
      }
    },
  };
  return scanner;
}

/** Chat calls {@link Scanner.warmUp} scans by default. */
export const DEFAULT_WARM_UP_CALLS = 3000;
