import { describe, expect, it } from 'vitest';
import { seededRandom } from './model/train.js';
import { mapRange, mayHoldLeet, normalizeText, unleet } from './normalize.js';

describe('normalizeText', () => {
  it('returns ASCII text unchanged with an identity map', () => {
    const n = normalizeText('plain text');
    expect(n.text).toBe('plain text');
    expect(n.starts).toBeNull();
    expect(n.evasions).toEqual([]);
  });

  it('folds full-width letters and maps offsets back to the original', () => {
    const original = 'say ｉｇｎｏｒｅ now';
    const n = normalizeText(original);
    expect(n.text).toBe('say ignore now');
    const at = n.text.indexOf('ignore');
    const r = mapRange(n, at, at + 6);
    expect(original.slice(r.start, r.end)).toBe('ｉｇｎｏｒｅ');
    expect(n.evasions.some((e) => e.kind === 'fullwidth')).toBe(true);
  });

  it('drops zero-width characters inside words and reports them', () => {
    const original = 'ig\u200bno\u200bre this';
    const n = normalizeText(original);
    expect(n.text).toBe('ignore this');
    expect(n.evasions.map((e) => e.kind)).toContain('zero_width');
    const r = mapRange(n, 0, 6);
    expect(original.slice(r.start, r.end)).toBe('ig\u200bno\u200bre');
  });

  it('folds Cyrillic look-alikes in Latin words but does not flag plain Russian text', () => {
    const mixed = normalizeText('ign\u043Ere'); // Cyrillic o
    expect(mixed.text).toBe('ignore');
    expect(mixed.evasions.map((e) => e.kind)).toContain('homoglyph');
    const russian = normalizeText('\u043F\u0440\u0438\u0432\u0435\u0442 \u043C\u0438\u0440');
    expect(russian.evasions).toEqual([]);
  });

  it('decodes ASCII smuggled in Unicode tag characters', () => {
    const hidden = [...'hi there'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
    const n = normalizeText(`Hello${hidden}!`);
    expect(n.text).toBe('Hello!');
    expect(n.hidden).toBe('hi there');
    expect(n.evasions[0]?.kind).toBe('unicode_tags');
  });

  it('keeps emoji ZWJ sequences and subdivision flags without reporting evasion', () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    const england = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}';
    const n = normalizeText(`${family} ${england}`);
    expect(n.evasions).toEqual([]);
    expect(n.hidden).toBe('');
  });
});

describe('unleet', () => {
  it('folds leetspeak words and leaves numbers alone', () => {
    expect(unleet('1gn0r3 all')).toBe('ignore all');
    expect(unleet('version 2.0.1 costs $5')).toBeNull();
  });
});

describe('mayHoldLeet', () => {
  const reference = /[a-z][013457@$|][a-z]|\b[013457@$][a-z]{2}/i;
  it('answers as the regular expression it replaces', () => {
    const pieces = [
      'a',
      'Z',
      'q',
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '7',
      '9',
      '@',
      '$',
      '|',
      '!',
      '_',
      ' ',
      '-',
      'é',
      'ſ',
      'İ',
      '\n',
    ];
    const random = seededRandom(3);
    const pick = (n: number): number => Math.floor(random() * n);
    let differing = 0;
    let hits = 0;
    for (let k = 0; k < 5000; k++) {
      let text = '';
      for (let i = pick(12); i > 0; i--) text += pieces[pick(pieces.length)];
      const expected = reference.test(text);
      if (expected) hits++;
      if (mayHoldLeet(text) !== expected) differing++;
    }
    expect(hits).toBeGreaterThan(150);
    expect(differing).toBe(0);
  });
});
