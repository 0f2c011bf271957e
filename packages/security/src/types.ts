import type { Finding, Logger, PromptMessage, Severity } from '@llmtrace/core';

/** What the scanner recommends doing with a scanned text. */
export type Verdict = 'allow' | 'flag' | 'block';

/** The result of one scan: findings, a 0–100 risk score and a verdict from the thresholds. */
export interface ScanResult {
  findings: Finding[];
  /** 0 (clean) – 100 (certain attack or leak). */
  score: number;
  verdict: Verdict;
}

/** The chat role of a scanned text. */
export type ScanRole = 'user' | 'assistant' | 'system' | 'tool';

/** Per-call scan options. */
export interface ScanOptions {
  /** Role of the text; decides which detectors run (default `user`). */
  role?: ScanRole;
  /** The request's system prompt, used to detect system-prompt leakage in assistant output. */
  systemPrompt?: string;
}

/** A custom rule from configuration: a regular expression or a keyword list. */
export interface CustomRule {
  /** Finding type emitted, e.g. `custom.project_codename` (prefixed with `custom.` if not dotted). */
  name: string;
  /** Regular expression source (flags `gi` are applied). Rejected if it could backtrack catastrophically. */
  pattern?: string;
  /** Case-insensitive keywords, matched as whole words. */
  keywords?: readonly string[];
  /** Default `medium`. */
  severity?: Severity;
  /** Roles the rule applies to (default: all). */
  roles?: readonly ScanRole[];
}

/** Options for {@link createScanner}. All fields optional. */
export interface ScannerOptions {
  /** Score thresholds (default `{ flag: 50, block: 85 }`). */
  thresholds?: { flag?: number; block?: number };
  /**
   * Enable or disable detectors by name (`injection`, `jailbreak`, `encoding`, `pii`, `secrets`,
   * `leakage`, `learned`, `custom`). Unlisted detectors keep their default (all enabled).
   */
  detectors?: Partial<Record<string, boolean>>;
  /** Custom rules; invalid or unsafe patterns make {@link createScanner} throw. */
  customRules?: readonly CustomRule[];
  /**
   * Allow-list: literal strings or RegExps. A finding whose matched text equals or matches an entry
   * is dropped (e.g. your own test keys, your support e-mail address).
   */
  allowList?: readonly (string | RegExp)[];
  /** Use the built-in learned model (default true). Same as `detectors: { learned: false }`. */
  learnedModel?: boolean;
  /**
   * Characters of scanned text whose findings are remembered (default 4 000 000; 0 turns it off).
   * Chat clients send the system prompt and the earlier turns again on every call; a message
   * already scanned twice with the same role and context is not scanned again (a text is
   * remembered when it comes a second time: most come once). Texts over 32 000 characters are
   * never remembered; the oldest entries go first.
   */
  cacheChars?: number;
  /** Optional logger (default silent). */
  logger?: Logger;
}

/** Counters exposed by {@link Scanner.stats}. */
export interface ScannerStats {
  scans: number;
  /** Number of detector invocations that threw (the scanner ignores them: fail-open). */
  detectorErrors: number;
  /** Errors per detector name. */
  errorsByDetector: Record<string, number>;
}

/** The scanner. Every method is synchronous, never throws on input, and is safe to call concurrently. */
export interface Scanner {
  /** Scan one text as the given role. */
  scan(text: string, options?: ScanOptions): ScanResult;
  /** Role-aware scan of a chat request; findings carry `location.side='request'` and `messageIndex`. */
  scanMessages(messages: readonly PromptMessage[]): ScanResult;
  /** Scan a model response for leaks; findings carry `location.side='response'`. */
  scanResponse(text: string, context?: { systemPrompt?: string }): ScanResult;
  /** Counters since creation. */
  stats(): ScannerStats;
  /**
   * Run `calls` made-up chat calls (default 3000) through every detector, so that V8 has optimized
   * the scanner's code before real traffic arrives instead of over its first thousands of calls.
   * Leaves no trace: nothing is cached or counted, and later results are the same.
   */
  warmUp(calls?: number): void;
}
