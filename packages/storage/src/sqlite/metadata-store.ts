import type { AuditEvent, HealthStatus, Logger, MetadataStore } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import type Database from 'better-sqlite3';
import { and, asc, desc, eq, isNull, lt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { guard } from '../shared/errors.js';
import { toApiKeyRecord, toTenantRecord } from '../shared/metadata-rows.js';
import { runSqliteMigrations } from './migrations.js';
import { openSqliteDatabase } from './open.js';
import { apiKeys, auditEvents, tenantPolicies, tenants } from './schema.js';

/** Options for {@link createSqliteMetadataStore}: a path, or an already open database to share. */
export type SqliteMetadataStoreOptions = ({ path: string } | { database: Database.Database }) & {
  logger?: Logger;
};

/**
 * Tenants, API key hashes, policy overrides and audit events in SQLite. Pass `database` to share
 * the trace store's connection (closing is then left to its owner).
 *
 * @example
 * const meta = createSqliteMetadataStore({ database: traces.database });
 */
export function createSqliteMetadataStore(options: SqliteMetadataStoreOptions): MetadataStore {
  const logger = options.logger ?? silentLogger;
  const owned = 'path' in options;
  const client = 'path' in options ? openSqliteDatabase(options.path) : options.database;
  const db = drizzle({ client });
  const g = <T>(op: string, fn: () => T): Promise<T> => guard('sqlite', op, fn);

  return {
    migrate: () =>
      g('migrate', () => {
        const done = runSqliteMigrations(client);
        if (done.length > 0) logger.info('sqlite: migrations applied', { versions: done });
      }),
    upsertTenant: (t) =>
      g('upsertTenant', () => {
        const values = { id: t.id, name: t.name, createdAt: t.createdAt, disabled: t.disabled ? 1 : 0 };
        db.insert(tenants).values(values).onConflictDoUpdate({ target: tenants.id, set: values }).run();
      }),
    getTenant: (id) =>
      g('getTenant', () => {
        const r = db.select().from(tenants).where(eq(tenants.id, id)).get();
        return r && toTenantRecord(r);
      }),
    listTenants: () =>
      g('listTenants', () => db.select().from(tenants).orderBy(asc(tenants.id)).all().map(toTenantRecord)),
    putApiKey: (k) =>
      g('putApiKey', () => {
        const values = {
          id: k.id,
          tenantId: k.tenantId,
          keyHash: k.keyHash,
          role: k.role ?? null,
          label: k.label ?? null,
          createdAt: k.createdAt,
          revokedAt: k.revokedAt ?? null,
        };
        db.insert(apiKeys).values(values).onConflictDoUpdate({ target: apiKeys.id, set: values }).run();
      }),
    listApiKeys: (tenantId) =>
      g('listApiKeys', () =>
        db
          .select()
          .from(apiKeys)
          .where(eq(apiKeys.tenantId, tenantId))
          .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
          .all()
          .map(toApiKeyRecord),
      ),
    findApiKeyByHash: (hash) =>
      g('findApiKeyByHash', () => {
        const r = db
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
          .get();
        return r && toApiKeyRecord(r);
      }),
    revokeApiKey: (id, at = Date.now()) =>
      g('revokeApiKey', () => {
        const res = db
          .update(apiKeys)
          .set({ revokedAt: at })
          .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
          .run();
        return res.changes > 0;
      }),
    setPolicy: (tenantId, policy) =>
      g('setPolicy', () => {
        const values = { tenantId, policy: JSON.stringify(policy), updatedAt: Date.now() };
        db.insert(tenantPolicies)
          .values(values)
          .onConflictDoUpdate({ target: tenantPolicies.tenantId, set: values })
          .run();
      }),
    getPolicy: (tenantId) =>
      g('getPolicy', () => {
        const r = db.select().from(tenantPolicies).where(eq(tenantPolicies.tenantId, tenantId)).get();
        return r ? (JSON.parse(r.policy) as Record<string, unknown>) : undefined;
      }),
    appendAudit: (e: AuditEvent) =>
      g('appendAudit', () => {
        db.insert(auditEvents)
          .values({
            tenantId: e.tenantId,
            at: e.at,
            actor: e.actor,
            action: e.action,
            detail: e.detail === undefined ? null : JSON.stringify(e.detail),
          })
          .run();
      }),
    listAudit: (tenantId, options = {}) =>
      g('listAudit', () => {
        const limit = Math.min(1000, Math.max(1, options.limit ?? 100));
        const where =
          options.before === undefined
            ? eq(auditEvents.tenantId, tenantId)
            : and(eq(auditEvents.tenantId, tenantId), lt(auditEvents.at, options.before));
        return db
          .select()
          .from(auditEvents)
          .where(where)
          .orderBy(desc(auditEvents.at), desc(auditEvents.id))
          .limit(limit)
          .all()
          .map(
            (r): AuditEvent => ({
              tenantId: r.tenantId,
              at: r.at,
              actor: r.actor,
              action: r.action,
              ...(r.detail === null ? {} : { detail: JSON.parse(r.detail) as Record<string, unknown> }),
            }),
          );
      }),
    health: async (): Promise<HealthStatus> => {
      try {
        client.prepare('SELECT 1').get();
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: `sqlite: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    close: async (): Promise<void> => {
      if (owned && client.open) client.close();
    },
  };
}
