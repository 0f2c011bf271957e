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
   * Most characters held back at the end of the text seen so far while a match could still be
   * forming there (default 64). Only the unfinished tail is held: a trailing word, a run of digits
   * and separators, or an open `-----BEGIN` block; text ending in a space is released at once.
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
const SPACE = /\s/;
const NUMERIC = /[\d\s().+-]/;
const OPEN_BLOCK = /-----BEGIN [A-Z ]+-----(?![\s\S]*-----END )/;

/**
 * How many characters at the end of `text` could still be the start of a match: the trailing run of
 * non-space characters, widened over digits and separators when it is numeric (phone and card
 * numbers contain spaces), or everything from an unterminated `-----BEGIN …-----` line.
 */
export function unfinishedTail(text: string, max: number, maxBlock: number): number {
  const recent = text.slice(-maxBlock);
  const block = OPEN_BLOCK.exec(recent);
  if (block) return recent.length - block.index;
  let i = text.length;
  while (i > 0 && !SPACE.test(text[i - 1]!)) i--;
  const word = text.slice(i);
  if (word === '' || /\d/.test(word)) {
    let j = i;
    while (j > 0 && NUMERIC.test(text[j - 1]!)) j--;
    if (/\d/.test(text.slice(j))) i = j;
  }
  return Math.min(max, text.length - i);
}

/**
 * Guard a text that arrives in pieces: each piece is scanned together with what is still held back
 * and a little already-sent context, so a secret split over several chunks is still seen whole.
 * Only the last `holdbackChars` (or a match still growing at the end) are held; everything before
 * is released at once, with `redact` findings replaced by `[REDACTED:<type>]`.
 */
export function createTextGuard(options: TextGuardOptions): TextGuard {
  const holdback = options.holdbackChars ?? 64;
  const maxHold = Math.max(options.maxHoldChars ?? 512, holdback);
  // A private key block is long; hold it whole (up to this) so its body is never released early.
  const maxBlock = Math.max(maxHold, 8192);
  let ctx = '';
  let pending = '';
  let blocked = false;

  const step = (final: boolean): GuardStep => {
    if (blocked) return { text: '' };
    if (pending.length === 0) return { text: '' };
    const text = ctx + pending;
    const base = ctx.length;
    const redact: Array<{ start: number; end: number; type: string }> = [];
    let cut = final ? text.length : Math.max(base, text.length - unfinishedTail(text, holdback, maxBlock));
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
