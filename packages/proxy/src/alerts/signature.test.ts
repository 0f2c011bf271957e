import { describe, expect, it } from 'vitest';
import { signWebhookPayload, verifyWebhookSignature } from './signature.js';

const secret = 'whsec_test';
const body = JSON.stringify({ id: 'evt_1', type: 'security.finding', tenantId: 'acme' });
const t = 1_767_225_600;

describe('webhook signatures', () => {
  it('verifies what it signed, as string or bytes', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(header).toMatch(/^t=1767225600,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, header, body, 300, t + 10)).toBe(true);
    expect(verifyWebhookSignature(secret, header, new TextEncoder().encode(body), 300, t + 10)).toBe(true);
  });

  it('rejects a changed body, another secret, or a forged hex', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body.replace('acme', 'evil'), 300, t)).toBe(false);
    expect(verifyWebhookSignature('other', header, body, 300, t)).toBe(false);
    expect(verifyWebhookSignature(secret, `t=${t},v1=${'0'.repeat(64)}`, body, 300, t)).toBe(false);
  });

  it('rejects replays outside the tolerance, in both directions', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body, 300, t + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, 300, t - 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, 600, t + 301)).toBe(true);
  });

  it('binds the timestamp: moving t invalidates the signature', () => {
    const header = signWebhookPayload(secret, body, t);
    const moved = header.replace(`t=${t}`, `t=${t + 5}`);
    expect(verifyWebhookSignature(secret, moved, body, 300, t + 5)).toBe(false);
  });

  it('rejects missing or malformed headers and accepts any matching v1 entry', () => {
    expect(verifyWebhookSignature(secret, undefined, body)).toBe(false);
    expect(verifyWebhookSignature(secret, 'garbage', body, 300, t)).toBe(false);
    expect(verifyWebhookSignature(secret, `t=${t}`, body, 300, t)).toBe(false);
    const good = signWebhookPayload(secret, body, t).split(',')[1];
    expect(verifyWebhookSignature(secret, `t=${t},v1=${'a'.repeat(64)},${good}`, body, 300, t)).toBe(true);
  });
});
