import type { ApiKeyRecord, TenantRecord } from '@llmtrace/core';

/** An `api_keys` row as the SQL adapters read it (nullable columns as `null`). */
export interface ApiKeyRow {
  id: string;
  tenantId: string;
  keyHash: string;
  role: string | null;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
}

/** A `tenants` row as the SQL adapters read it (`disabled` as a boolean or 0/1). */
export interface TenantRow {
  id: string;
  name: string;
  createdAt: number;
  disabled: boolean | number;
}

/** A key row as the core record; an unknown role reads as none (the least access). */
export function toApiKeyRecord(r: ApiKeyRow): ApiKeyRecord {
  return {
    id: r.id,
    tenantId: r.tenantId,
    keyHash: r.keyHash,
    createdAt: r.createdAt,
    ...(r.role === 'admin' || r.role === 'operator' || r.role === 'viewer' ? { role: r.role } : {}),
    ...(r.label === null ? {} : { label: r.label }),
    ...(r.revokedAt === null ? {} : { revokedAt: r.revokedAt }),
  };
}

/** A tenant row as the core record. */
export function toTenantRecord(r: TenantRow): TenantRecord {
  return { id: r.id, name: r.name, createdAt: r.createdAt, ...(r.disabled ? { disabled: true } : {}) };
}
