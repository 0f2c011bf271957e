import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, MetadataStore } from '@llmtrace/core';

/** Roles a proxy key can have. */
export type KeyRole = 'admin' | 'operator' | 'viewer';

/** Every role, most powerful first. */
export const KEY_ROLES: readonly KeyRole[] = ['admin', 'operator', 'viewer'];

/** Prefix of every proxy key. */
export const KEY_PREFIX = 'llmt_';

const KEY_FORMAT = /^llmt_[A-Za-z0-9_-]{43}$/;

/** A fresh proxy key: `llmt_` + 256 random bits (base64url). */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** Whether a string has the shape of a proxy key (cheap check before any look-up). */
export function isKeyFormat(raw: string): boolean {
  return KEY_FORMAT.test(raw);
}

/**
 * The stored form of a key: hex SHA-256, or HMAC-SHA256 with `pepper` when one is configured.
 * Keys carry 256 random bits, so a fast hash is enough; the pepper keeps a stolen table useless
 * without the server's secret.
 */
export function hashKey(raw: string, pepper?: string): string {
  return pepper
    ? createHmac('sha256', pepper).update(raw).digest('hex')
    : createHash('sha256').update(raw).digest('hex');
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The role of a key record (`viewer` when it has none: the least it can be). */
export function roleOf(record: ApiKeyRecord): KeyRole {
  return record.role ?? 'viewer';
}

/** A key as listed: never the raw key or its hash. */
export interface KeyInfo {
  id: string;
  tenantId: string;
  role: KeyRole;
  createdAt: number;
  revokedAt?: number;
}

/** Options for {@link createApiKey}. */
export interface CreateKeyOptions {
  tenantId: string;
  role: KeyRole;
  pepper?: string;
  /** Who creates it, for the audit trail (default `cli`). */
  actor?: string;
}

/**
 * Create a key: store its hash, record an audit event, and return the raw key (shown once).
 * The tenant is created when it does not exist yet.
 *
 * @example
 * const { key } = await createApiKey(metadata, { tenantId: 'acme', role: 'operator' });
 */
export async function createApiKey(
  metadata: MetadataStore,
  options: CreateKeyOptions,
): Promise<{ key: string; info: KeyInfo }> {
  const key = generateKey();
  const now = Date.now();
  const id = `key_${randomBytes(8).toString('hex')}`;
  if (!(await metadata.getTenant(options.tenantId)))
    await metadata.upsertTenant({ id: options.tenantId, name: options.tenantId, createdAt: now });
  await metadata.putApiKey({
    id,
    tenantId: options.tenantId,
    keyHash: hashKey(key, options.pepper),
    role: options.role,
    createdAt: now,
  });
  await metadata.appendAudit({
    tenantId: options.tenantId,
    at: now,
    actor: options.actor ?? 'cli',
    action: 'api_key.created',
    detail: { id, role: options.role },
  });
  return { key, info: { id, tenantId: options.tenantId, role: options.role, createdAt: now } };
}

/** Revoke a key by id and audit it; returns whether a key was revoked. */
export async function revokeApiKey(
  metadata: MetadataStore,
  id: string,
  tenantId: string,
  actor = 'cli',
): Promise<boolean> {
  const now = Date.now();
  const ok = await metadata.revokeApiKey(id, now);
  if (ok) await metadata.appendAudit({ tenantId, at: now, actor, action: 'api_key.revoked', detail: { id } });
  return ok;
}

/**
 * A tenant's keys, rebuilt from the audit trail (the metadata store has no key listing; creation
 * and revocation are always audited by {@link createApiKey} and {@link revokeApiKey}).
 */
export async function listApiKeys(metadata: MetadataStore, tenantId: string): Promise<KeyInfo[]> {
  const records = await metadata.listApiKeys(tenantId);
  return records.map((r) => ({
    id: r.id,
    tenantId: r.tenantId,
    role: roleOf(r),
    createdAt: r.createdAt,
    ...(r.revokedAt === undefined ? {} : { revokedAt: r.revokedAt }),
  }));
}
