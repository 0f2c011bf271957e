import { LLMTraceError, type MetadataStore } from '@llmtrace/core';
import {
  createApiKey,
  createKeyVerifier,
  extractApiKey,
  type KeyAdmin,
  listApiKeys,
  type Principal,
  resolveIdentity,
  revokeApiKey,
} from '@llmtrace/gateway';
import type { Config } from './config/index.js';

/** Who may use the REST API and the ingest endpoints, and as which tenant. */
export interface AppAuth {
  authenticate(headers: Headers): Promise<Principal | undefined>;
  /** The tenant an ingest request writes into; throws 401 when auth is on and the key is bad. */
  resolveTenant(headers: Headers): Promise<string>;
  keys: KeyAdmin;
}

/**
 * API authentication. With `auth.enabled`, callers present an `llmt_` key (`X-LLMTrace-Key` or
 * `Authorization: Bearer`), looked up by its hash; the bootstrap key is the global admin. Without
 * it, every caller is the global admin: fine on the default loopback listen address, and said
 * so in the docs.
 */
export function createAppAuth(config: Config, metadata: MetadataStore): AppAuth {
  const pepper = config.auth.key_pepper;
  // The same cached verification the request policy uses.
  const verify = createKeyVerifier({
    metadata,
    pepper,
    bootstrapKey: config.auth.bootstrap_key,
    cacheTtlMs: config.auth.cache_ttl_ms,
  });

  const authenticate = async (headers: Headers): Promise<Principal | undefined> => {
    if (!config.auth.enabled) return { tenantId: '*', role: 'admin' };
    const raw = extractApiKey(headers);
    const key = raw ? await verify(raw) : undefined;
    if (!key) return undefined;
    // The bootstrap key is the operator's: it reads every tenant.
    return key.keyId === 'bootstrap' ? { tenantId: '*', role: 'admin', keyId: key.keyId } : key;
  };

  return {
    authenticate,
    async resolveTenant(headers) {
      if (!config.auth.enabled) return resolveIdentity(headers, config.tenant_secret).tenantId;
      const who = await authenticate(headers);
      if (!who) throw new LLMTraceError('unauthorized', 'a valid LLMTrace key is required (X-LLMTrace-Key)');
      if (who.tenantId !== '*') return who.tenantId;
      return headers.get('x-llmtrace-tenant-id') ?? 'default';
    },
    keys: {
      listTenants: () => metadata.listTenants(),
      async createTenant({ id, name }) {
        const record = { id, name, createdAt: Date.now() };
        await metadata.upsertTenant(record);
        return record;
      },
      async createKey({ tenantId, role }) {
        const { key, info } = await createApiKey(metadata, { tenantId, role, pepper, actor: 'api' });
        return { key: { ...info }, secret: key };
      },
      listKeys: (tenantId) => listApiKeys(metadata, tenantId),
      async revokeKey(tenantId, keyId) {
        const mine = (await listApiKeys(metadata, tenantId)).some(
          (k) => k.id === keyId && k.revokedAt === undefined,
        );
        return mine ? revokeApiKey(metadata, keyId, tenantId, 'api') : false;
      },
    },
  };
}
