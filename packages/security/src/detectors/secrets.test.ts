import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { fakeToken } from '../../test/fixtures.js';
import { createScanner } from '../scanner.js';

const scanner = createScanner({ learnedModel: false });
const found = (text: string): Array<[string, string]> =>
  scanner
    .scan(text)
    .findings.filter((f) => f.type.startsWith('secret.'))
    .map((f) => [f.type, text.slice(f.location!.start, f.location!.end)]);

const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('secrets detector', () => {
  const cases: Array<[string, string]> = [
    ['secret.aws_access_key', `AKIA${fakeToken(1, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`],
    ['secret.github_pat', `ghp_${fakeToken(2, 36)}`],
    ['secret.gitlab_token', `glpat-${fakeToken(3, 19)}-`],
    ['secret.openai_api_key', `sk-proj-${fakeToken(4, 60)}T3BlbkFJ${fakeToken(5, 60)}`],
    ['secret.anthropic_api_key', `sk-ant-api03-${fakeToken(6, 93)}AA`],
    ['secret.slack_token', `xoxb-1234567890123-9876543210987-${fakeToken(7, 24)}`],
    [
      'secret.slack_webhook',
      `https://hooks.slack.com/services/T${fakeToken(8, 8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}/B${fakeToken(9, 10, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}/${fakeToken(10, 24)}`,
    ],
    ['secret.stripe_key', `sk_live_${fakeToken(11, 24)}`],
    ['secret.google_api_key', `AIza${fakeToken(12, 35)}`],
    ['secret.npm_token', `npm_${fakeToken(13, 36)}`],
    ['secret.huggingface_token', `hf_${fakeToken(14, 34)}`],
    ['secret.sendgrid_key', `SG.${fakeToken(15, 22)}.${fakeToken(16, 43)}`],
    [
      'secret.jwt',
      `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'u-829', role: 'admin', exp: 1900000000 })}.${fakeToken(17, 43)}`,
    ],
    ['secret.db_connection_string', `postgres://app:${fakeToken(18, 16)}@db.internal:5432/prod`],
  ];

  it.each(cases)('finds %s with exact offsets', (type, secret) => {
    const text = `config value: "${secret}" (do not share)`;
    expect(found(text)).toEqual([[type, secret]]);
  });

  it('finds private key blocks', () => {
    const body = Array.from({ length: 4 }, (_, i) =>
      fakeToken(20 + i, 64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'),
    ).join('\n');
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    expect(found(`key:\n${key}\n`)).toEqual([['secret.private_key', key]]);
  });

  it('rejects documented examples, placeholders and look-alikes', () => {
    for (const text of [
      'the docs use AKIAIOSFODNN7EXAMPLE as a sample',
      'set OPENAI_API_KEY=sk-your-api-key-here',
      'DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/db',
      'postgresql://<user>:<password>@localhost/db',
      'commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it',
      'id 123e4567-e89b-12d3-a456-426614174000',
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----',
      `publishable pk_live_${fakeToken(30, 24)}`,
      `sample ${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '1234567890', name: 'John Doe', iat: 1516239022 })}.${fakeToken(31, 43)}`,
    ]) {
      expect(found(text), text).toEqual([]);
    }
  });

  it('never echoes a full secret in the excerpt', () => {
    const secret = `ghp_${fakeToken(40, 36)}`;
    const f = scanner.scan(`token=${secret}`).findings.find((x) => x.type === 'secret.github_pat')!;
    expect(f.excerpt).not.toContain(secret);
    expect(f.excerpt).not.toContain(secret.slice(4, 20));
  });

  it('makes the verdict at least flag', () => {
    expect(scanner.scan(`here: ghp_${fakeToken(41, 36)}`).verdict).not.toBe('allow');
  });
});
