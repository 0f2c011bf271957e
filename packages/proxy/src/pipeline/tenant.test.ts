import { describe, expect, it } from 'vitest';
import { resolveIdentity, tenantFromKey } from './tenant.js';

describe('resolveIdentity', () => {
  it('uses the tenant header when present', () => {
    const id = resolveIdentity(
      new Headers({
        'x-llmtrace-tenant-id': 'acme',
        'x-llmtrace-agent-id': 'planner',
        authorization: 'Bearer sk-1',
      }),
      's3cret-s3cret',
    );
    expect(id).toEqual({ tenantId: 'acme', agentId: 'planner', sessionId: undefined });
  });

  it('derives a stable keyed hash from the API key, different per secret, never the key itself', () => {
    const h = new Headers({ authorization: 'Bearer sk-live-abc' });
    const a = resolveIdentity(h, 'secret-one').tenantId;
    expect(a).toBe(resolveIdentity(h, 'secret-one').tenantId);
    expect(a).not.toBe(resolveIdentity(h, 'secret-two').tenantId);
    expect(a).not.toContain('sk-live-abc');
    expect(resolveIdentity(new Headers({ 'x-api-key': 'sk-live-abc' }), 'secret-one').tenantId).toBe(a);
    expect(tenantFromKey('sk-live-abc', 'secret-one')).toBe(a);
  });

  it('falls back to default without header or key, and rejects malformed ids', () => {
    expect(resolveIdentity(new Headers(), 'x'.repeat(10)).tenantId).toBe('default');
    expect(() => resolveIdentity(new Headers({ 'x-llmtrace-tenant-id': 'a b' }), 'x'.repeat(10))).toThrow(
      /tenant/,
    );
    expect(() =>
      resolveIdentity(new Headers({ 'x-llmtrace-agent-id': 'x'.repeat(200) }), 'x'.repeat(10)),
    ).toThrow(/agent/);
  });
});
