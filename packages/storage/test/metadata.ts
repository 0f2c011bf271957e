import type { MetadataStore } from '@llmtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The metadata contract, run against every MetadataStore. */
export function runMetadataContract(
  name: string,
  create: () => Promise<MetadataStore>,
  cleanup?: () => Promise<void>,
): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let m: MetadataStore;
    beforeAll(async () => {
      m = await create();
      await m.migrate();
      await m.migrate();
    });
    afterAll(async () => {
      await m?.close();
      await cleanup?.();
    });

    it('upserts, reads and lists tenants', async () => {
      await m.upsertTenant({ id: 'b', name: 'Beta', createdAt: 2 });
      await m.upsertTenant({ id: 'a', name: 'Alpha', createdAt: 1 });
      await m.upsertTenant({ id: 'a', name: 'Alpha Inc', createdAt: 1, disabled: true });
      expect(await m.getTenant('a')).toEqual({ id: 'a', name: 'Alpha Inc', createdAt: 1, disabled: true });
      expect(await m.getTenant('zzz')).toBeUndefined();
      expect((await m.listTenants()).map((t) => t.id)).toEqual(['a', 'b']);
    });

    it('finds keys by hash only while not revoked', async () => {
      await m.putApiKey({ id: 'k1', tenantId: 'a', keyHash: 'h1', label: 'ci', createdAt: 10 });
      await m.putApiKey({ id: 'k2', tenantId: 'b', keyHash: 'h2', createdAt: 11 });
      expect(await m.findApiKeyByHash('h1')).toEqual({
        id: 'k1',
        tenantId: 'a',
        keyHash: 'h1',
        label: 'ci',
        createdAt: 10,
      });
      expect(await m.revokeApiKey('k1', 99)).toBe(true);
      expect(await m.revokeApiKey('k1', 100)).toBe(false);
      expect(await m.revokeApiKey('missing')).toBe(false);
      expect(await m.findApiKeyByHash('h1')).toBeUndefined();
      expect((await m.findApiKeyByHash('h2'))?.tenantId).toBe('b');
    });

    it("keeps key roles and lists a tenant's keys newest first, revoked ones included", async () => {
      await m.putApiKey({ id: 'r1', tenantId: 'roles', keyHash: 'hr1', role: 'admin', createdAt: 100 });
      await m.putApiKey({
        id: 'r2',
        tenantId: 'roles',
        keyHash: 'hr2',
        role: 'viewer',
        label: 'dash',
        createdAt: 200,
      });
      await m.putApiKey({
        id: 'r3',
        tenantId: 'other-roles',
        keyHash: 'hr3',
        role: 'operator',
        createdAt: 300,
      });
      await m.revokeApiKey('r1', 250);
      const list = await m.listApiKeys('roles');
      expect(list.map((k) => [k.id, k.role, k.revokedAt])).toEqual([
        ['r2', 'viewer', undefined],
        ['r1', 'admin', 250],
      ]);
      expect(list[0]?.label).toBe('dash');
      expect((await m.findApiKeyByHash('hr3'))?.role).toBe('operator');
      expect(await m.listApiKeys('nobody')).toEqual([]);
    });

    it('replaces per-tenant policy overrides', async () => {
      expect(await m.getPolicy('a')).toBeUndefined();
      await m.setPolicy('a', { block_threshold: 80, detectors: { pii: false } });
      await m.setPolicy('a', { block_threshold: 70 });
      expect(await m.getPolicy('a')).toEqual({ block_threshold: 70 });
      expect(await m.getPolicy('b')).toBeUndefined();
    });

    it('appends audit events and lists them newest first per tenant', async () => {
      for (let i = 0; i < 5; i++)
        await m.appendAudit({ tenantId: 'a', at: 1000 + i, actor: 'op', action: `act.${i}`, detail: { i } });
      await m.appendAudit({ tenantId: 'b', at: 5000, actor: 'op', action: 'other' });
      const all = await m.listAudit('a');
      expect(all.map((e) => e.action)).toEqual(['act.4', 'act.3', 'act.2', 'act.1', 'act.0']);
      expect(all[0]).toEqual({ tenantId: 'a', at: 1004, actor: 'op', action: 'act.4', detail: { i: 4 } });
      expect((await m.listAudit('a', { limit: 2, before: 1003 })).map((e) => e.action)).toEqual([
        'act.2',
        'act.1',
      ]);
      expect(await m.listAudit('b')).toEqual([{ tenantId: 'b', at: 5000, actor: 'op', action: 'other' }]);
      expect((await m.health()).ok).toBe(true);
    });
  });
}
