import { findNames } from './pii-names.js';
import { ibanValid, ipv4Valid, luhnValid, ssnValid, trivialDigits } from './pii-validators.js';
import type { Detector, DetectorInput, RawFinding } from './types.js';

// Sticky: tried only at the start of the local part found by walking back from each '@'.
const EMAIL = /[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b/y;
const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const SSN = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g;
const SSN_BARE = /(?<![\d-])(\d{3})(\d{2})(\d{4})(?![\d-])/g;
const CARD = /(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d])/g;
const IBAN = /\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?\b/g;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)/g;
const IPV6 =
  /(?<![\w:])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![\w:])|(?<![\w:])(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4}(?![\w:])/g;
const PHONE =
  /(?<![\w+/.-])(?=[\d+(][\d+() .-]{6})(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,14}(?:[ .-]\d{1,6}){0,5}(?:\s?(?:x|ext\.?|#)\s?\d{1,5})?(?![\w/]|[.-]\d)/g;
const PHONE_CONTEXT =
  /\b(?:phone|tel|telephone|mobile|cell|fax|call|calling|reach|contact|number|whatsapp|sms|text\s+me|dial|landline|hotline|ph|mob)\b|☎|📞/i;
const URL = /\bhttps?:\/\/[^\s<>"'()]+|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s<>"'()]*/gi;
const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const DATE = new RegExp(
  `\\b(?:\\d{4}-\\d{2}-\\d{2}(?:[ T]\\d{2}:\\d{2}(?::\\d{2})?)?|\\d{1,2}[/.]\\d{1,2}[/.](?:\\d{4}|\\d{2})|(?:${MONTHS})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${MONTHS})\\.?,?\\s+\\d{4}|(?:${MONTHS})\\.?\\s+\\d{4})\\b`,
  'g',
);
// These run on the lower-cased text (same length), which keeps V8 off the slow case-insensitive path.
const YEAR = /\b(?:in|since|born|until|from|year|of|by|before|after|circa)\s+((?:19|20)\d{2})\b/g;
const AGE =
  /\b(?:aged?|age\s*(?:of|is|:)?)\s+(\d{1,3})\b|\b(\d{1,3})(?:\s+|-)years?(?:\s+|-)old\b|\b(?:i\s+am|i'm)\s+(\d{1,2})\b(?!\s*(?:%|kg|lbs?|cm|am|pm|minutes|hours|\w*\d))/g;
const TITLE = /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Rev|Hon)\.?(?=\s+[A-ZÀ-ÖØ-Þ])/g;
const STREET =
  /\b\d{1,6}[A-Za-z]?\s+(?:[A-ZÀ-ÖØ-Þ\d][A-Za-zÀ-ÖØ-öø-ÿ'’.-]*\s+){1,4}(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Court|Ct\.?|Way|Place|Pl\.?|Square|Sq\.?|Terrace|Parkway|Pkwy|Highway|Hwy|Circle|Cir\.?|Trail|Row|Crescent|Close|Alley|Plaza)(?:,?\s+(?:Apt\.?|Suite|Unit|#)\s*[\w-]+)?\b/g;

const ZIP_CUE =
  /\b(?:zip(?:\s*code)?|postal\s*code|post\s*code|postcode|plz)\s*(?:is|:|#)?\s*([A-Z0-9](?:[A-Z0-9 -]{0,8}[A-Z0-9])?)(?![A-Za-z0-9])/g;
// A postal code alone on the last lines of an address block.
const ZIP_LINE = /(?:^|\n)[ \t]*(\d{3,5}(?:-\d{3,4})?)[ \t]*(?=\n|$)/g;
const ADDRESS_CUE =
  /\b(?:apt|suite|unit|street|st|road|rd|avenue|ave|strasse|straße|gade|vej|veien|katu|lane|drive)\b\.?/i;

const PUSH_LIMIT = 500;

// Tests run on every text, hoisted: a regular-expression literal is a new object each time it runs.
const DIGIT = /\d/;
const URL_HINT = /https?:|www\./i;
const SSN_CUE = /\b(?:ssn|social\s+security)\b/i;
const IPV6_HINT = /[0-9a-f]{1,4}:[0-9a-f]{1,4}:/i;
const CAPITAL = /[A-ZÀ-ÖØ-Þ]/;

function add(
  out: RawFinding[],
  type: string,
  severity: RawFinding['severity'],
  confidence: number,
  start: number,
  end: number,
  message: string,
): void {
  if (out.length < PUSH_LIMIT) out.push({ type, severity, confidence, start, end, message });
}

/** Positions already claimed by a more specific PII type (a bitmap: O(span) per check, not O(findings)). */
class Taken {
  // Allocated on the first claim: most texts have none.
  private mask: Uint8Array | undefined;
  constructor(private readonly length: number) {}
  push([s, e]: [number, number]): void {
    this.mask ??= new Uint8Array(this.length + 1);
    this.mask.fill(1, s, e);
  }
  overlaps(s: number, e: number): boolean {
    const mask = this.mask;
    if (!mask) return false;
    for (let i = s; i < e; i++) if (mask[i] === 1) return true;
    return false;
  }
}

/**
 * Digit counts that bound what the number patterns can match, from one pass over the text:
 * `consecutive`, the longest run of digits, and `grouped`, the most digits in one run of digits and
 * `+()./ -`. Every PHONE, CARD, SSN, IPV4 and numeric DATE match lies inside such a run.
 */
function digitRuns(text: string): { consecutive: number; grouped: number } {
  let consecutive = 0;
  let grouped = 0;
  let run = 0;
  let group = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run > consecutive) consecutive = run;
      if (++group > grouped) grouped = group;
    } else {
      run = 0;
      // + ( ) . / - and space keep the group going
      if (c !== 43 && c !== 40 && c !== 41 && c !== 46 && c !== 47 && c !== 45 && c !== 32) group = 0;
    }
  }
  return { consecutive, grouped };
}

// Fewest digits a finding needs: PHONE keeps 7–15 digits (extension excluded); CARD is
// \d(?:[ -]?\d){11,18}; SSN \d{3}[- ]\d{2}[- ]\d{4} and SSN_BARE \d{9}; IPV4 (?:\d{1,3}\.){3}\d{1,3};
// YEAR (?:19|20)\d{2}; every DATE alternative has \d{4} except d/d/dd, which has 4 grouped digits.
const MIN_GROUPED = { phone: 7, card: 12, ssn: 9, ipv4: 4, date: 4 } as const;
const MIN_CONSECUTIVE = { ssnBare: 9, year: 4 } as const;

function overlaps(taken: Taken, s: number, e: number): boolean {
  return taken.overlaps(s, e);
}

function detect(input: DetectorInput): RawFinding[] {
  const text = input.norm.text;
  // Lower-cased copy for the case-insensitive patterns; in the rare case lower-casing changed the
  // length (e.g. U+0130), match the original and accept missing upper-case forms.
  const low = input.lower.length === text.length ? input.lower : text;
  const out: RawFinding[] = [];
  const taken = new Taken(text.length);
  const hasDigit = DIGIT.test(text);

  let lastEnd = 0;
  let dot = -1;
  for (
    let at = text.indexOf('@');
    at >= 0 && out.length < PUSH_LIMIT;
    at = text.indexOf('@', Math.max(at + 1, lastEnd))
  ) {
    // A domain needs a dot: none ahead means no more addresses; a far one means not this '@'.
    if (dot < at) dot = text.indexOf('.', at);
    if (dot < 0) break;
    if (dot - at > 255) continue;
    let start = at;
    while (start > Math.max(lastEnd, at - 64) && LOCAL_CHAR.test(text[start - 1]!)) start--;
    if (start === at) continue;
    EMAIL.lastIndex = start;
    const m = EMAIL.exec(text);
    if (!m) continue;
    add(out, 'pii.email', 'low', 0.95, start, start + m[0].length, 'E-mail address');
    taken.push([start, start + m[0].length]);
    lastEnd = start + m[0].length;
  }
  if (URL_HINT.test(text)) {
    URL.lastIndex = 0;
    for (let m = URL.exec(text); m && out.length < PUSH_LIMIT; m = URL.exec(text)) {
      const url = m[0].replace(/[.,;:!?)\]]+$/, '');
      add(out, 'pii.url', 'info', 0.6, m.index, m.index + url.length, 'URL');
      taken.push([m.index, m.index + url.length]);
    }
  }
  if (!hasDigit) return out.concat(names(text, low));
  // Without pre-filters every pattern runs (the bounds are never reached).
  const runs = input.prefilters === false ? { consecutive: Infinity, grouped: Infinity } : digitRuns(text);

  IBAN.lastIndex = 0;
  for (let m = IBAN.exec(text); m && out.length < PUSH_LIMIT; m = IBAN.exec(text)) {
    if (ibanValid(m[0])) {
      add(out, 'pii.iban', 'medium', 0.95, m.index, m.index + m[0].length, 'IBAN (checksum valid)');
      taken.push([m.index, m.index + m[0].length]);
    }
  }
  SSN.lastIndex = 0;
  for (
    let m = runs.grouped >= MIN_GROUPED.ssn ? SSN.exec(text) : null;
    m && out.length < PUSH_LIMIT;
    m = SSN.exec(text)
  ) {
    if (overlaps(taken, m.index, m.index + m[0].length)) continue;
    if (ssnValid(m[1]!, m[3]!, m[4]!)) {
      add(out, 'pii.ssn', 'high', 0.85, m.index, m.index + m[0].length, 'US social security number');
      taken.push([m.index, m.index + m[0].length]);
    }
  }
  if (runs.consecutive >= MIN_CONSECUTIVE.ssnBare && SSN_CUE.test(text)) {
    SSN_BARE.lastIndex = 0;
    for (let m = SSN_BARE.exec(text); m && out.length < PUSH_LIMIT; m = SSN_BARE.exec(text)) {
      if (overlaps(taken, m.index, m.index + m[0].length)) continue;
      if (ssnValid(m[1]!, m[2]!, m[3]!)) {
        add(out, 'pii.ssn', 'high', 0.7, m.index, m.index + m[0].length, 'US social security number');
        taken.push([m.index, m.index + m[0].length]);
      }
    }
  }
  CARD.lastIndex = 0;
  for (
    let m = runs.grouped >= MIN_GROUPED.card ? CARD.exec(text) : null;
    m && out.length < PUSH_LIMIT;
    m = CARD.exec(text)
  ) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length < 12 || digits.length > 19 || trivialDigits(digits)) continue;
    if (overlaps(taken, m.index, m.index + m[0].length)) continue;
    if (!luhnValid(digits)) continue;
    add(
      out,
      'pii.credit_card',
      'high',
      0.9,
      m.index,
      m.index + m[0].length,
      'Payment card number (Luhn valid)',
    );
    taken.push([m.index, m.index + m[0].length]);
  }
  if (runs.grouped >= MIN_GROUPED.ipv4 && text.includes('.')) {
    IPV4.lastIndex = 0;
    for (let m = IPV4.exec(text); m && out.length < PUSH_LIMIT; m = IPV4.exec(text)) {
      if (!ipv4Valid(m[0])) continue;
      const before = text.slice(Math.max(0, m.index - 9), m.index).toLowerCase();
      if (/v\s?$|version\s*$/.test(before)) continue;
      add(out, 'pii.ip_address', 'low', 0.9, m.index, m.index + m[0].length, 'IP address');
      taken.push([m.index, m.index + m[0].length]);
    }
  }
  // Both tests need a colon; includes() is much cheaper than the regex.
  if (text.includes(':') && (text.includes('::') || IPV6_HINT.test(text))) {
    IPV6.lastIndex = 0;
    for (let m = IPV6.exec(text); m && out.length < PUSH_LIMIT; m = IPV6.exec(text)) {
      if (!/\d/.test(m[0]) || m[0].length < 6) continue;
      add(out, 'pii.ip_address', 'low', 0.8, m.index, m.index + m[0].length, 'IPv6 address');
      taken.push([m.index, m.index + m[0].length]);
    }
  }
  DATE.lastIndex = 0;
  for (
    let m = runs.grouped >= MIN_GROUPED.date ? DATE.exec(low) : null;
    m && out.length < PUSH_LIMIT;
    m = DATE.exec(low)
  ) {
    if (overlaps(taken, m.index, m.index + m[0].length)) continue;
    add(out, 'pii.date', 'info', 0.6, m.index, m.index + m[0].length, 'Date');
    taken.push([m.index, m.index + m[0].length]);
  }
  YEAR.lastIndex = 0;
  for (
    let m = runs.consecutive >= MIN_CONSECUTIVE.year ? YEAR.exec(low) : null;
    m && out.length < PUSH_LIMIT;
    m = YEAR.exec(low)
  ) {
    const off = m.index + m[0].length - 4;
    if (overlaps(taken, off, off + 4)) continue;
    add(out, 'pii.date', 'info', 0.6, off, off + 4, 'Date');
    taken.push([off, off + 4]);
  }
  PHONE.lastIndex = 0;
  for (
    let m = runs.grouped >= MIN_GROUPED.phone ? PHONE.exec(text) : null;
    m && out.length < PUSH_LIMIT;
    m = PHONE.exec(text)
  ) {
    const raw = m[0];
    const main = raw.replace(/\s?(?:x|ext\.?|#)\s?\d{1,5}$/, '');
    const digits = main.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15 || trivialDigits(digits)) continue;
    const s = m.index;
    const e = m.index + raw.length;
    if (overlaps(taken, s, e)) continue;
    const plus = raw.startsWith('+');
    const paren = raw.includes('(');
    const groups = main.split(/[ .-]+/).filter((g) => g.length > 0).length;
    const context = PHONE_CONTEXT.test(text.slice(Math.max(0, s - 40), s));
    // A bare run of digits is an id as often as a phone number: require a phone-like shape or a cue.
    const shaped =
      plus || paren || (groups >= 2 && groups <= 6 && !/^\d{4}$/.test(main.split(/[ .-]/)[0] ?? ''));
    if (!shaped && !context) continue;
    if (!plus && !paren && !context && /^\d{1,4}[.]\d{1,4}$/.test(main)) continue;
    add(out, 'pii.phone', 'low', context || plus ? 0.85 : 0.65, s, e, 'Phone number');
    taken.push([s, e]);
  }
  AGE.lastIndex = 0;
  for (let m = AGE.exec(low); m && out.length < PUSH_LIMIT; m = AGE.exec(low)) {
    const val = m[1] ?? m[2] ?? m[3];
    if (!val || Number(val) > 125) continue;
    const off = m.index + m[0].indexOf(val);
    if (overlaps(taken, off, off + val.length)) continue;
    add(out, 'pii.age', 'info', 0.6, off, off + val.length, 'Age');
  }
  ZIP_CUE.lastIndex = 0;
  for (let m = ZIP_CUE.exec(low); m && out.length < PUSH_LIMIT; m = ZIP_CUE.exec(low)) {
    const zip = m[1]!;
    if (!/\d/.test(zip)) continue;
    const off = m.index + m[0].length - zip.length;
    if (overlaps(taken, off, off + zip.length)) continue;
    add(out, 'pii.zip_code', 'info', 0.7, off, off + zip.length, 'Postal code');
    taken.push([off, off + zip.length]);
  }
  if (ADDRESS_CUE.test(text)) {
    ZIP_LINE.lastIndex = 0;
    for (let m = ZIP_LINE.exec(text); m && out.length < PUSH_LIMIT; m = ZIP_LINE.exec(text)) {
      const zip = m[1]!;
      const off = m.index + m[0].indexOf(zip);
      if (overlaps(taken, off, off + zip.length)) continue;
      add(out, 'pii.zip_code', 'info', 0.5, off, off + zip.length, 'Postal code');
      taken.push([off, off + zip.length]);
    }
  }
  STREET.lastIndex = 0;
  for (let m = STREET.exec(text); m && out.length < PUSH_LIMIT; m = STREET.exec(text)) {
    if (overlaps(taken, m.index, m.index + m[0].length)) continue;
    add(out, 'pii.location', 'low', 0.6, m.index, m.index + m[0].length, 'Street address');
  }
  return out.concat(names(text, low));
}

function names(text: string, low: string): RawFinding[] {
  const out: RawFinding[] = [];
  if (!CAPITAL.test(text)) return out;
  TITLE.lastIndex = 0;
  for (let m = TITLE.exec(text); m && out.length < PUSH_LIMIT; m = TITLE.exec(text)) {
    add(out, 'pii.title', 'info', 0.6, m.index, m.index + m[0].length, 'Honorific');
  }
  for (const f of findNames(text, low)) out.push(f);
  return out;
}

/** PII detector: e-mail, phone, SSN, card, IBAN, IP, URL, date, age, street address, names after cues. */
export const piiDetector: Detector = {
  name: 'pii',
  roles: ['user', 'assistant', 'tool', 'system'],
  attack: false,
  detect,
};
