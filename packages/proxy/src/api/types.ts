import type { Logger, TenantRecord, TraceStore } from '@llmtrace/core';
import type { AlertEvent } from '../alerts/types.js';

/** What a caller of the REST API may do. `admin` ⊃ `operator` ⊃ `viewer`. */
export type Role = 'admin' | 'operator' | 'viewer';

/**
 * The authenticated caller. `tenantId: '*'` with role `admin` is the global admin, who may read
 * any tenant via `?tenant=`; everybody else is pinned to their own tenant.
 */
export interface Principal {
  tenantId: string;
  role: Role;
  keyId?: string;
}

/** An API key as the API shows it: never the raw key, never its hash. */
export interface ApiKeyInfo {
  id: string;
  tenantId: string;
  role: Role;
  label?: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms; present once revoked. */
  revokedAt?: number;
}

/**
 * Tenant and key administration behind `/api/v1/tenants` and `/api/v1/keys`. Implemented over the
 * metadata store by the application; the raw key is returned once, by `createKey`, and never stored.
 */
export interface KeyAdmin {
  listTenants(): Promise<TenantRecord[]>;
  createTenant(input: { id: string; name: string }): Promise<TenantRecord>;
  createKey(input: {
    tenantId: string;
    role: Role;
    label?: string;
  }): Promise<{ key: ApiKeyInfo; secret: string }>;
  listKeys(tenantId: string): Promise<ApiKeyInfo[]>;
  /** Revoke a key of this tenant; `false` when no such (active) key exists in the tenant. */
  revokeKey(tenantId: string, keyId: string): Promise<boolean>;
}

/** Current spend in one budget window. */
export interface SpendWindow {
  /** e.g. `day`, `month`. */
  window: string;
  spentUsd: number;
  limitUsd?: number;
  /** Epoch ms when the window resets. */
  resetsAt?: number;
}

/** Anomalies and alerts as stored by the application (newest first). */
export interface EventLog {
  list(tenantId: string, kind: 'anomaly' | 'alert', limit: number): Promise<AlertEvent[]>;
}

/** Dependencies of {@link createApiRoutes}. */
export interface ApiDeps {
  store: TraceStore;
  /** Resolve the caller from request headers; `undefined` → 401. */
  authenticate: (headers: Headers) => Promise<Principal | undefined>;
  /** Tenant and key administration; without it those routes answer 404. */
  keys?: KeyAdmin;
  /** Current spend per budget window; without it `/spend` answers an empty list. */
  spend?: (tenantId: string) => Promise<SpendWindow[]>;
  /** Anomaly and alert history; without it those lists are empty. */
  events?: EventLog;
  logger?: Logger;
}
