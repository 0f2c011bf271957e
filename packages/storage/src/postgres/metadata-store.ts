import type { AuditEvent, HealthStatus, Logger, MetadataStore } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import { and, asc, desc, eq, isNull, lt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { guard } from '../shared/errors.js';
import { toApiKeyRecord, toTenantRecord } from '../shared/metadata-rows.js';
import { runPostgresMigrations } from './migrations.js';
import { connect, type PostgresConnectionOptions } from './pool.js';
import { apiKeys, auditEvents, tenantPolicies, tenants } from './schema.js';

/** Options for {@link createPostgresMetadataStore}. */
export interface PostgresMetadataStoreOptions extends PostgresConnectionOptions {
  logger?: Logger;
}

/**
 * Tenants, API key hashes, policy overrides (JSONB) and audit events in PostgreSQL. Pass `pool`
 * to share the trace store's connections.
 *
 * @example
 * const meta = createPostgresMetadataStore({ url: 'postgres://localhost/llmtrace' });
 * await meta.migrate();
 */
export function createPostgresMetadataStore(options: PostgresMetadataStoreOptions): MetadataStore {
  const logger = options.logger ?? silentLogger;
  const { pool, owned } = connect(options, logger);
  const db = drizzle({ client: pool });
  const g = <T>(op: string, fn: () => Promise<T>): Promise<T> => guard('postgres', op, fn);
  let closed = false;

  return {
    migrate: () =>
      g('migrate', async () => {
        const done = await runPostgresMigrations(pool, options.pool ? undefined : options.schema);
        if (done.length > 0) logger.info('postgres: migrations applied', { versions: done });
      }),
    upsertTenant: (t) =>
      g('upsertTenant', async () => {
        const values = { id: t.id, name: t.name, createdAt: t.createdAt, disabled: t.disabled === true };
        await db.insert(tenants).values(values).onConflictDoUpdate({ target: tenants.id, set: values });
      }),
    getTenant: (id) =>
      g('getTenant', async () => {
        const [r] = await db.select().from(tenants).where(eq(tenants.id, id));
        return r && toTenantRecord(r);
      }),
    listTenants: () =>
      g('listTenants', async () =>
        (await db.select().from(tenants).orderBy(asc(tenants.id))).map(toTenantRecord),
      ),
    putApiKey: (k) =>
      g('putApiKey', async () => {
        const values = {
          id: k.id,
          tenantId: k.tenantId,
          keyHash: k.keyHash,
          role: k.role ?? null,
          label: k.label ?? null,
          createdAt: k.createdAt,
          revokedAt: k.revokedAt ?? null,
        };
        await db.insert(apiKeys).values(values).onConflictDoUpdate({ target: apiKeys.id, set: values });
      }),
    listApiKeys: (tenantId) =>
      g('listApiKeys', async () => {
        const rows = await db
          .select()
          .from(apiKeys)
          .where(eq(apiKeys.tenantId, tenantId))
          .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
        return rows.map(toApiKeyRecord);
      }),
    findApiKeyByHash: (hash) =>
      g('findApiKeyByHash', async () => {
        const [r] = await db
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
          .limit(1);
        return r && toApiKeyRecord(r);
      }),
    revokeApiKey: (id, at = Date.now()) =>
      g('revokeApiKey', async () => {
        const res = await db
          .update(apiKeys)
          .set({ revokedAt: at })
          .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
        return (res.rowCount ?? 0) > 0;
      }),
    setPolicy: (tenantId, policy) =>
      g('setPolicy', async () => {
        const values = { tenantId, policy, updatedAt: Date.now() };
        await db
          .insert(tenantPolicies)
          .values(values)
          .onConflictDoUpdate({ target: tenantPolicies.tenantId, set: values });
      }),
    getPolicy: (tenantId) =>
      g('getPolicy', async () => {
        const [r] = await db.select().from(tenantPolicies).where(eq(tenantPolicies.tenantId, tenantId));
        return r ? (r.policy as Record<string, unknown>) : undefined;
      }),
    appendAudit: (e: AuditEvent) =>
      g('appendAudit', async () => {
        await db.insert(auditEvents).values({
          tenantId: e.tenantId,
          at: e.at,
          actor: e.actor,
          action: e.action,
          detail: e.detail ?? null,
        });
      }),
    listAudit: (tenantId, options = {}) =>
      g('listAudit', async () => {
        const limit = Math.min(1000, Math.max(1, options.limit ?? 100));
        const where =
          options.before === undefined
            ? eq(auditEvents.tenantId, tenantId)
            : and(eq(auditEvents.tenantId, tenantId), lt(auditEvents.at, options.before));
        const rows = await db
          .select()
          .from(auditEvents)
          .where(where)
          .orderBy(desc(auditEvents.at), desc(auditEvents.id))
          .limit(limit);
        return rows.map(
          (r): AuditEvent => ({
            tenantId: r.tenantId,
            at: r.at,
            actor: r.actor,
            action: r.action,
            ...(r.detail === null ? {} : { detail: r.detail as Record<string, unknown> }),
          }),
        );
      }),
    health: async (): Promise<HealthStatus> => {
      try {
        await pool.query('SELECT 1');
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: `postgres: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    close: async (): Promise<void> => {
      if (closed) return;
      closed = true;
      if (owned) await pool.end();
    },
  };
}
