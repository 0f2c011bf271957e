import { describe, expect, it } from 'vitest';
import { fakeCard } from '../../test/fixtures.js';
import { createScanner } from '../scanner.js';
import { ibanValid, luhnValid, ssnValid } from './pii-validators.js';

const scanner = createScanner({ learnedModel: false });
const spans = (text: string, type: string): string[] =>
  scanner
    .scan(text)
    .findings.filter((f) => f.type === type)
    .map((f) => text.slice(f.location!.start, f.location!.end));

describe('PII detector', () => {
  it('finds e-mail addresses with offsets', () => {
    expect(spans('Write to maria.lopez@example.org today.', 'pii.email')).toEqual([
      'maria.lopez@example.org',
    ]);
  });

  it('finds international phone formats and ignores bare ids without cues', () => {
    expect(spans('Call me on +44 20 7946 0958 tonight', 'pii.phone')).toEqual(['+44 20 7946 0958']);
    expect(spans('office (555) 201-3344 ext. 12', 'pii.phone')[0]).toContain('(555) 201-3344');
    expect(spans('my mobile: 0612345678', 'pii.phone')).toEqual(['0612345678']);
    expect(spans('order 20231104 shipped', 'pii.phone')).toEqual([]);
  });

  it('applies SSN validity rules', () => {
    expect(spans('SSN 512-44-8721 on file', 'pii.ssn')).toEqual(['512-44-8721']);
    expect(spans('SSN 000-44-8721 or 666-12-3456 or 912-12-3456', 'pii.ssn')).toEqual([]);
    expect(ssnValid('512', '00', '1234')).toBe(false);
  });

  it('finds Luhn-valid cards only', () => {
    const card = fakeCard('4', 16, 7);
    expect(spans(`card ${card} exp 09/29`, 'pii.credit_card')).toEqual([card]);
    const broken = card.slice(0, -1) + String((Number(card.at(-1)) + 1) % 10);
    expect(spans(`card ${broken}`, 'pii.credit_card')).toEqual([]);
    expect(luhnValid('4111111111111111')).toBe(true);
  });

  it('finds IBANs that pass mod-97 and rejects others', () => {
    expect(spans('IBAN: DE89 3704 0044 0532 0130 00 thanks', 'pii.iban')).toEqual([
      'DE89 3704 0044 0532 0130 00',
    ]);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
  });

  it('finds IPv4 and IPv6 addresses but not version numbers', () => {
    expect(spans('server at 192.168.10.25 and fe80::1ff:fe23:4567:890a', 'pii.ip_address')).toEqual([
      '192.168.10.25',
      'fe80::1ff:fe23:4567:890a',
    ]);
    expect(spans('upgrade to v1.2.3.4', 'pii.ip_address')).toEqual([]);
    expect(spans('bad 300.1.1.1', 'pii.ip_address')).toEqual([]);
  });

  it('redacts PII in excerpts', () => {
    const r = scanner.scan('reach me at jo.smith@mail.test please');
    const f = r.findings.find((x) => x.type === 'pii.email')!;
    expect(f.excerpt).not.toContain('jo.smith@mail.test');
    expect(f.excerpt).toContain('[REDACTED:pii.email');
  });

  it('does not make the verdict flag for ordinary PII alone', () => {
    expect(scanner.scan('My email is a.b@c.de and my phone is +1 415 555 0100').verdict).toBe('allow');
  });
});

describe('PII names, places and groups (cue-based)', () => {
  it('finds a person after a cue and a place after a preposition', () => {
    expect(spans('Yesterday I met Dr. Hannah Okafor at the clinic.', 'pii.person')).toEqual([
      'Hannah Okafor',
    ]);
    expect(spans('She grew up in Tromsø before moving.', 'pii.location')).toEqual(['Tromsø']);
  });

  it('finds nationalities and postal codes with a cue', () => {
    expect(spans('The Icelandic delegation arrived.', 'pii.nrp')).toEqual(['Icelandic']);
    expect(spans('my zip code is 90210', 'pii.zip_code')).toEqual(['90210']);
  });

  it('reads a word after a comma as a place only on a line that has a digit before it', () => {
    // Long lines on purpose: each comma's line is read back to a digit or the line's start.
    const filler = 'the parcel went out late and the courier called twice about it '.repeat(40);
    const places = (text: string) => spans(text, 'pii.location').filter((s) => s === 'Springfield');
    expect(places(`Ship to 42 Elm Street ${filler}, Springfield`)).toEqual(['Springfield']);
    expect(places(`Ship to 42 Elm Street\n${filler}, Springfield`)).toEqual([]);
    expect(places(`Order 7 ${filler}, Springfield and ${filler}, Springfield`)).toEqual([
      'Springfield',
      'Springfield',
    ]);
    expect(places(`Ship to Elm Street ${filler}, Springfield\ngate 9, Springfield`)).toEqual(['Springfield']);
  });

  it('does not treat sentence-initial common words as names', () => {
    expect(spans('Please send the report. Thanks for the help.', 'pii.person')).toEqual([]);
  });
});
