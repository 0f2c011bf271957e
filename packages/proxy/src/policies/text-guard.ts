import type { Finding } from '@llmtrace/core';
import { actionFor, placeholder } from './actions.js';
import type { EnforcementRule } from './types.js';

/** Finds sensitive spans in a text (offsets into it). */
export type TextScan = (text: string) => readonly Finding[];

/** Options for {@link createTextGuard}. */
export interface TextGuardOptions {
  scan: TextScan;
  rules: readonly EnforcementRule[];
  /**
   * Characters always held back at the end of the text seen so far, because a match could still
   * start there (default 48: longer than the common key and token prefixes the detectors need).
   */
  holdbackChars?: number;
  /** A match still growing at the end is held up to this many characters, then cut (default 512). */
  maxHoldChars?: number;
}

/** What the guard lets out after a piece of text. */
export interface GuardStep {
  /** Text safe to send now (redactions applied). */
  text: string;
  /** Set when a finding calls for `block`: send nothing more. */
  blocked?: Finding;
}

/** Incremental guard for one text stream (one choice or content block). */
export interface TextGuard {
  /** Add text; returns what may be sent now. */
  push(text: string): GuardStep;
  /** The stream ended: scan and release everything held back. */
  flush(): GuardStep;
}

const CONTEXT = 64;

/**
 * Guard a text that arrives in pieces: each piece is scanned together with what is still held back
 * and a little already-sent context, so a secret split over several chunks is still seen whole.
 * Only the last `holdbackChars` (or a match still growing at the end) are held; everything before
 * is released at once, with `redact` findings replaced by `[REDACTED:<type>]`.
 */
export function createTextGuard(options: TextGuardOptions): TextGuard {
  const holdback = options.holdbackChars ?? 48;
  const maxHold = Math.max(options.maxHoldChars ?? 512, holdback);
  let ctx = '';
  let pending = '';
  let blocked = false;

  const step = (final: boolean): GuardStep => {
    if (blocked) return { text: '' };
    if (pending.length === 0) return { text: '' };
    const text = ctx + pending;
    const base = ctx.length;
    const redact: Array<{ start: number; end: number; type: string }> = [];
    let cut = final ? text.length : Math.max(base, text.length - holdback);
    for (const f of options.scan(text)) {
      const loc = f.location;
      const end = loc ? loc.end : text.length;
      if (end <= base) continue; // entirely in text already sent
      const action = actionFor(f, options.rules);
      if (action === 'block') {
        blocked = true;
        pending = '';
        return { text: '', blocked: f };
      }
      if (action !== 'redact' || !loc) continue;
      const start = Math.max(base, loc.start);
      // A match touching the end may still grow with the next chunk: hold it whole.
      if (!final && end >= text.length && text.length - start <= maxHold) cut = Math.min(cut, start);
      redact.push({ start, end, type: f.type });
    }
    // Never cut through a match: hold it whole until it is released together.
    for (const r of redact) if (r.start < cut && r.end > cut) cut = r.start;
    cut = Math.max(cut, base);
    if (cut === base) return { text: '' };
    redact.sort((a, b) => a.start - b.start);
    let out = '';
    let pos = base;
    for (const r of redact) {
      if (r.start >= cut || r.end <= pos) continue;
      out += text.slice(pos, r.start) + placeholder(r.type);
      pos = Math.min(r.end, cut);
    }
    out += text.slice(pos, cut);
    ctx = text.slice(Math.max(0, cut - CONTEXT), cut);
    pending = text.slice(cut);
    return { text: out };
  };

  return {
    push(text) {
      if (blocked) return { text: '' };
      pending += text;
      return step(false);
    },
    flush() {
      return step(true);
    },
  };
}
