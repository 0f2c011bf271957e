export type { ScanJsonlOptions, ScanJsonlSummary } from './cli/scan-jsonl.js';
export { scanJsonl } from './cli/scan-jsonl.js';
export type { Detector, DetectorInput, RawFinding } from './detectors/types.js';
export type { Evasion, EvasionKind, NormalizedText } from './normalize.js';
export { normalizeText } from './normalize.js';
export { unsafeRegexReason } from './regex-safety.js';
export type { ScannerInternals } from './scanner.js';
export { createScanner, DEFAULT_WARM_UP_CALLS } from './scanner.js';
export { DEFAULT_THRESHOLDS, SEVERITY_RISK, scoreFindings, verdictFor } from './scoring.js';
export type {
  CustomRule,
  Scanner,
  ScannerOptions,
  ScannerStats,
  ScanOptions,
  ScanResult,
  ScanRole,
  Verdict,
} from './types.js';
