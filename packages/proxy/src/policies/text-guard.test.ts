import { createScanner } from '@llmtrace/security';
import { describe, expect, it } from 'vitest';
import { createTextGuard, type TextGuard } from './text-guard.js';
import type { EnforcementRule } from './types.js';

const scanner = createScanner({ learnedModel: false });
const scan = (text: string) => scanner.scanResponse(text).findings;
const KEY = 'AKIAZ3MSJV4WWXQDEFGH';

function run(guard: TextGuard, pieces: readonly string[]): { text: string; blocked: boolean } {
  let text = '';
  for (const p of pieces) {
    const r = guard.push(p);
    if (r.blocked) return { text, blocked: true };
    text += r.text;
  }
  const r = guard.flush();
  return { text: text + r.text, blocked: r.blocked !== undefined };
}

const redactSecrets: EnforcementRule[] = [
  { match: 'secret.*', action: 'redact' },
  { match: 'pii.*', action: 'redact' },
];

describe('text guard', () => {
  it('redacts a secret split over three chunks', () => {
    const g = createTextGuard({ scan, rules: redactSecrets });
    const out = run(g, ['Here is the key: AKIAZ3MS', 'JV4WWX', 'QDEFGH and that is all.']);
    expect(out.blocked).toBe(false);
    expect(out.text).toBe('Here is the key: [REDACTED:secret.aws_access_key] and that is all.');
    expect(out.text).not.toContain('AKIA');
  });

  it('never releases any part of a secret before it is complete', () => {
    const g = createTextGuard({ scan, rules: redactSecrets });
    const released: string[] = [];
    for (const p of ['key ', 'AK', 'IAZ3', 'MSJV4W', 'WXQD', 'EFGH', ' done']) released.push(g.push(p).text);
    released.push(g.flush().text);
    const joined = released.join('');
    expect(joined).toBe('key [REDACTED:secret.aws_access_key] done');
    for (const piece of released) expect(piece).not.toMatch(/AKIA|WWXQ|EFGH/);
  });

  it('redacts an e-mail split mid-domain', () => {
    const g = createTextGuard({ scan, rules: redactSecrets });
    const out = run(g, ['write to bob.smith@exa', 'mple.com today']);
    expect(out.text).toBe('write to [REDACTED:pii.email] today');
  });

  it('releases clean prose at once and holds only an unfinished word', () => {
    const g = createTextGuard({ scan, rules: redactSecrets });
    expect(g.push('The quick brown fox jumps ').text).toBe('The quick brown fox jumps ');
    expect(g.push('over the la').text).toBe('over the ');
    expect(g.push('zy dog.').text).toBe('lazy ');
    expect(g.flush().text).toBe('dog.');
  });

  it('holds at most holdbackChars of a long unfinished word', () => {
    const g = createTextGuard({ scan, rules: redactSecrets, holdbackChars: 16 });
    const long = 'x'.repeat(100);
    expect(g.push(long).text).toBe('x'.repeat(84));
    expect(g.flush().text).toBe('x'.repeat(16));
  });

  it('keeps a phone number split at a space together', () => {
    const g = createTextGuard({ scan, rules: [{ match: 'pii.phone', action: 'redact' }] });
    const out = run(g, ['Call me at (415) 555', '-0132 tomorrow.']);
    expect(out.text).toBe('Call me at [REDACTED:pii.phone] tomorrow.');
  });

  it('holds an open private key block until it ends', () => {
    const body = 'MIIEowIBAAKCAQEAx3h5Zq8n1v0c9PbXlqKf2Yb0mWzY4y8bQm3p5rJ9sK1tLw2e';
    const g = createTextGuard({ scan, rules: redactSecrets });
    const released = [
      g.push('Here it is:\n-----BEGIN RSA PRIVATE KEY-----\n').text,
      g.push(`${body}\n`).text,
      g.push(`${body}\n`).text,
    ];
    expect(released.join('')).toBe('Here it is:\n');
    const rest = g.push('-----END RSA PRIVATE KEY-----\nDone.').text + g.flush().text;
    expect(released.join('') + rest).not.toContain(body);
  });

  it('blocks when a finding calls for block, releasing nothing after it', () => {
    const g = createTextGuard({ scan, rules: [{ match: 'secret.*', action: 'block' }] });
    const out = run(g, [
      'a harmless start of a long answer that goes on ',
      `and then ${KEY.slice(0, 10)}`,
      `${KEY.slice(10)} trailing`,
    ]);
    expect(out.blocked).toBe(true);
    expect(out.text).not.toContain('AKIA');
  });

  it('passes findings whose action is log', () => {
    const g = createTextGuard({ scan, rules: [{ match: 'secret.*', action: 'log' }] });
    expect(run(g, ['x ', KEY, ' y']).text).toBe(`x ${KEY} y`);
  });

  it('respects the minimum severity of a rule', () => {
    const g = createTextGuard({ scan, rules: [{ match: 'pii.*', action: 'redact', minSeverity: 'high' }] });
    expect(run(g, ['mail bob.smith@example.com now']).text).toBe('mail bob.smith@example.com now');
  });
});
