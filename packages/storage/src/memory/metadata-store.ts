import type { ApiKeyRecord, AuditEvent, HealthStatus, MetadataStore, TenantRecord } from '@llmtrace/core';

/**
 * A MetadataStore in process memory (tests, `memory` and `clickhouse`-only profiles). Records are
 * copied in and out.
 *
 * @example
 * const meta = createMemoryMetadataStore();
 * await meta.upsertTenant({ id: 'acme', name: 'Acme', createdAt: Date.now() });
 */
export function createMemoryMetadataStore(): MetadataStore {
  const tenants = new Map<string, TenantRecord>();
  const keys = new Map<string, ApiKeyRecord>();
  const policies = new Map<string, Record<string, unknown>>();
  const audit: AuditEvent[] = [];
  return {
    async migrate(): Promise<void> {},
    async upsertTenant(t: TenantRecord): Promise<void> {
      tenants.set(t.id, structuredClone(t));
    },
    async getTenant(id: string): Promise<TenantRecord | undefined> {
      const t = tenants.get(id);
      return t && structuredClone(t);
    },
    async listTenants(): Promise<TenantRecord[]> {
      return [...tenants.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((t) => structuredClone(t));
    },
    async putApiKey(k: ApiKeyRecord): Promise<void> {
      keys.set(k.id, structuredClone(k));
    },
    async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
      return [...keys.values()]
        .filter((k) => k.tenantId === tenantId)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .map((k) => structuredClone(k));
    },
    async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
      for (const k of keys.values())
        if (k.keyHash === hash && k.revokedAt === undefined) return structuredClone(k);
      return undefined;
    },
    async revokeApiKey(id: string, at = Date.now()): Promise<boolean> {
      const k = keys.get(id);
      if (!k || k.revokedAt !== undefined) return false;
      k.revokedAt = at;
      return true;
    },
    async setPolicy(tenantId: string, policy: Record<string, unknown>): Promise<void> {
      policies.set(tenantId, structuredClone(policy));
    },
    async getPolicy(tenantId: string): Promise<Record<string, unknown> | undefined> {
      const p = policies.get(tenantId);
      return p && structuredClone(p);
    },
    async appendAudit(e: AuditEvent): Promise<void> {
      audit.push(structuredClone(e));
    },
    async listAudit(
      tenantId: string,
      options: { limit?: number; before?: number } = {},
    ): Promise<AuditEvent[]> {
      const limit = Math.min(1000, Math.max(1, options.limit ?? 100));
      return audit
        .map((e, i) => ({ e, i }))
        .filter(({ e }) => e.tenantId === tenantId && (options.before === undefined || e.at < options.before))
        .sort((a, b) => b.e.at - a.e.at || b.i - a.i)
        .slice(0, limit)
        .map(({ e }) => structuredClone(e));
    },
    async health(): Promise<HealthStatus> {
      return { ok: true };
    },
    async close(): Promise<void> {},
  };
}
