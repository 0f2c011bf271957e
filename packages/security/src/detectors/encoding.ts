import { Buffer } from 'node:buffer';
import { type Detector, type DetectorInput, keywordGroups, type RawFinding } from './types.js';

const MAX_DEPTH = 3;
const MAX_CANDIDATES = 64;
const MAX_DECODED_CHARS = 256 * 1024;
const MAX_ROTATE_CHARS = 256 * 1024;
const MAX_CANDIDATE_CHARS = 16 * 1024;

// Upper bounds keep the regex engine's backtracking state small on megabyte-long runs; a longer
// run simply yields several candidates.
const BASE64 = /[A-Za-z0-9+/_-]{20,16384}={0,2}/g;
const HEX = /(?:\\x[0-9a-fA-F]{2}){6,4096}|\b(?:[0-9a-fA-F]{2}[ :]?){12,4096}\b/g;
const URLENC = /[^\s%]{0,64}(?:%[0-9a-fA-F]{2}[^\s%]{0,64}){3,4096}/g;
// Matched on the lower-cased text; ASCII letters only (the evasion targets English keyword filters).
const SPACED = /(?:^|[^a-z])((?:[a-z] ){7,}[a-z])(?![a-z])/g;

function readable(s: string): boolean {
  if (s.length < 8) return false;
  let good = 0;
  let letters = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 10 || c === 13 || c === 9) good++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    else if (c > 0x7f && c !== 0xfffd) good++;
  }
  if (good / s.length <= 0.95 || letters / s.length <= 0.55) return false;
  // At least two words: a linear scan (a regex like /[a-z]+\s+[a-z]+/ is quadratic on long letter runs).
  let words = 0;
  let run = 0;
  for (let i = 0; i <= s.length && words < 2; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) run++;
    else {
      if (run >= 2 && (c === 32 || c === 10 || c === 9 || c === 13 || i === s.length)) words++;
      run = 0;
    }
  }
  return words >= 2;
}

const BASE64_MIN_RUN = 20; // BASE64 needs this many alphabet characters in a row
const HEX_MIN_RUN = 24; // the hex guard below: /[0-9a-fA-F]{24}/

/**
 * Whether `text` has a run of at least 20 base64-alphabet characters (else BASE64 cannot match) and
 * a run of at least 24 hex digits. One linear pass instead of a regex that restarts at every letter.
 */
function longRuns(text: string): { base64: boolean; hex: boolean } {
  let b64 = 0;
  let hex = 0;
  let base64 = false;
  let hexRun = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const isHex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    if (
      isHex ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 43 ||
      c === 47 ||
      c === 95 ||
      c === 45
    ) {
      if (++b64 >= BASE64_MIN_RUN) base64 = true;
      hex = isHex ? hex + 1 : 0;
      if (hex >= HEX_MIN_RUN) {
        hexRun = true;
        break; // a hex run is also a base64 run: both answers are known
      }
    } else {
      b64 = 0;
      hex = 0;
    }
  }
  return { base64, hex: hexRun };
}

// Another layer of encoding (base64 or hex text) is kept so the next depth can decode it.
const ENCODED_LAYER = /^(?:[A-Za-z0-9+/_-]{20,}={0,2}|(?:[0-9a-fA-F]{2}){12,})$/;

function acceptable(out: string): string | null {
  return readable(out) || ENCODED_LAYER.test(out.trim()) ? out : null;
}

function decodeBase64(s: string): string | null {
  const t = s.replace(/-/g, '+').replace(/_/g, '/');
  if (t.length % 4 === 1) return null;
  return acceptable(Buffer.from(t, 'base64').toString('utf8'));
}

function decodeHex(s: string): string | null {
  const hex = s.replace(/\\x|[ :]/g, '');
  if (hex.length % 2 !== 0) return null;
  return acceptable(Buffer.from(hex, 'hex').toString('utf8'));
}

function decodeUrl(s: string): string | null {
  try {
    return acceptable(decodeURIComponent(s));
  } catch {
    return null;
  }
}

function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

// Attack words as they look after ROT13 and after reversal. The whole-text re-scan only runs when
// one of them occurs, so ordinary text pays one substring search instead of a second full scan.
const TRIGGERS = [
  'ignore',
  'instruction',
  'previous',
  'disregard',
  'forget',
  'system prompt',
  'jailbreak',
  'developer mode',
  'do anything now',
  'reveal',
  'password',
  'pretend',
  'restrictions',
  'vergiss',
  'oublie',
  'olvida',
];
const ROTATED = 1;
const REVERSED = 2;
/** Bit ROTATED when a ROT13 trigger occurs, REVERSED when a reversed one does. */
const triggersIn = keywordGroups([TRIGGERS.map(rot13), TRIGGERS.map((t) => [...t].reverse().join(''))]);

// Hoisted: a regular-expression literal is a new object each time it runs.
const THREE_LETTERS = /[a-z]{3}/i;

function strongest(findings: readonly RawFinding[], minConfidence: number): RawFinding | undefined {
  let best: RawFinding | undefined;
  for (const f of findings) {
    if (f.confidence < minConfidence) continue;
    if (!best || f.confidence > best.confidence) best = f;
  }
  return best;
}

function detect(input: DetectorInput): RawFinding[] {
  const text = input.norm.text;
  const out: RawFinding[] = [];
  let budget = MAX_DECODED_CHARS;
  let candidates = 0;
  const nested = input.depth + 1 < MAX_DEPTH;

  const tryDecoded = (kind: string, start: number, end: number, decoded: string | null): void => {
    if (decoded === null || budget <= 0) return;
    budget -= decoded.length;
    const inner = input.rescan(decoded);
    const hit = strongest(inner, 0.6);
    if (hit) {
      out.push({
        type: 'encoding_attack',
        severity: 'high',
        confidence: Math.min(0.95, hit.confidence + 0.05),
        start,
        end,
        message: `${kind}-encoded payload hides: ${hit.message}`,
      });
      out.push({ ...hit, start, end, message: `${hit.message} (inside ${kind})` });
    } else {
      out.push({
        type: 'encoding_attack',
        severity: 'low',
        confidence: 0.5,
        start,
        end,
        message: `${kind}-encoded readable text`,
      });
    }
  };

  const scanPattern = (re: RegExp, kind: string, decode: (s: string) => string | null): void => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null && candidates < MAX_CANDIDATES && budget > 0; m = re.exec(text)) {
      candidates++;
      budget -= Math.min(m[0].length, MAX_CANDIDATE_CHARS);
      // Encoded instructions are short; decoding the first 16 KiB of a huge run is enough to tell.
      const candidate = m[0].length > MAX_CANDIDATE_CHARS ? m[0].slice(0, MAX_CANDIDATE_CHARS) : m[0];
      // The patterns are shared: the rescan of a decoded payload runs this detector again, whose
      // own scan of the same pattern moves lastIndex. Continue from where this scan was.
      const next = re.lastIndex;
      tryDecoded(kind, m.index, m.index + m[0].length, decode(candidate));
      re.lastIndex = next;
    }
  };

  if (nested) {
    const runs = input.prefilters === false ? undefined : longRuns(text);
    if (!runs || runs.base64) scanPattern(BASE64, 'base64', decodeBase64);
    if (text.includes('\\x') || (runs ? runs.hex : /[0-9a-fA-F]{24}/.test(text)))
      scanPattern(HEX, 'hex', decodeHex);
    if (text.includes('%')) scanPattern(URLENC, 'url', decodeUrl);

    if (input.depth === 0 && text.length <= MAX_ROTATE_CHARS && THREE_LETTERS.test(text)) {
      // ROT13 and reversed payloads cannot be located by shape; re-scan the whole transformed text
      // and only keep confident attack hits that the plain text does not already explain.
      const triggers = triggersIn(input.lower);
      const rotHit = triggers & ROTATED ? strongest(input.rescan(rot13(text)), 0.75) : undefined;
      if (rotHit) {
        out.push({
          type: 'encoding_attack',
          severity: 'high',
          confidence: 0.85,
          start: rotHit.start,
          end: rotHit.end,
          message: `ROT13-encoded payload hides: ${rotHit.message}`,
        });
      }
      const reversed = triggers & REVERSED ? Array.from(text).reverse().join('') : '';
      const revHit = reversed ? strongest(input.rescan(reversed), 0.75) : undefined;
      if (revHit && reversed.length === text.length) {
        out.push({
          type: 'encoding_attack',
          severity: 'high',
          confidence: 0.85,
          start: text.length - revHit.end,
          end: text.length - revHit.start,
          message: `Reversed payload hides: ${revHit.message}`,
        });
      }
    }
  }

  const spacedIn = input.lower.length === text.length ? input.lower : text.toLowerCase();
  SPACED.lastIndex = 0;
  for (let m = SPACED.exec(spacedIn); m !== null && candidates < MAX_CANDIDATES; m = SPACED.exec(spacedIn)) {
    candidates++;
    const run = m[1]!;
    const start = m.index + m[0].length - run.length;
    out.push({
      type: 'encoding_attack',
      severity: 'high',
      confidence: 0.7,
      start,
      end: start + run.length,
      message: 'Letters spaced out to evade keyword filters',
    });
  }

  if (input.depth === 0 && input.norm.hidden.length > 0 && nested) {
    const inner = strongest(input.rescan(input.norm.hidden), 0.5);
    const ev = input.norm.evasions.find((e) => e.kind === 'unicode_tags');
    if (ev) {
      out.push({
        type: 'encoding_attack',
        severity: 'critical',
        confidence: 0.95,
        start: ev.start,
        end: ev.end,
        message: inner
          ? `Invisible Unicode tag characters hide: ${inner.message}`
          : 'Invisible Unicode tag characters carry hidden text',
        original: true,
      });
    }
  }
  return out;
}

/** Encoding and evasion detector: decodes base64, hex, URL-encoding, ROT13, reversed and spaced text and re-scans it. */
export const encodingDetector: Detector = {
  name: 'encoding',
  roles: ['user', 'tool', 'assistant'],
  attack: true,
  detect,
};
