import { LLMTraceError, type MetadataStore } from '@llmtrace/core';
import type { PolicyContext, PolicyDecision, RequestPolicy } from '../pipeline/policy.js';
import { hashKey, isKeyFormat, KEY_PREFIX, type KeyRole, roleOf, sameHash } from './keys.js';
import { type TenantOverrides, tenantOverridesOf } from './overrides.js';
import { type RequestState, requestState } from './state.js';
import type { PolicyEventListener, TenantPolicy } from './types.js';

/** Options for {@link createAuthPolicy}. */
export interface AuthPolicyOptions {
  metadata: MetadataStore;
  /** HMAC pepper for key hashes (must match the one used when the keys were created). */
  pepper?: string;
  /** A raw admin key from config or env, accepted without a look-up. */
  bootstrapKey?: string;
  /** Tenant of the bootstrap key (default `default`). */
  bootstrapTenant?: string;
  /** How long a verified key stays cached, ms (default 30 000). Revocation takes effect within it. */
  cacheTtlMs?: number;
  /** Max cached keys (default 10 000). */
  cacheSize?: number;
  /** Per-tenant overrides, for the server-held upstream key. */
  overrides?: TenantOverrides;
  onEvent?: PolicyEventListener;
}

interface CachedKey {
  keyId: string;
  tenantId: string;
  role: KeyRole;
  expires: number;
}

const NEGATIVE_TTL_MS = 5_000;

/** A proxy key as the caller sent it. */
interface PresentedKey {
  key: string;
  fromAuthorization: boolean;
}

/** The proxy key a caller presents: `X-LLMTrace-Key`, else an `llmt_` bearer token. */
function presentedKey(headers: Headers): PresentedKey | undefined {
  const own = headers.get('x-llmtrace-key')?.trim();
  if (own) return { key: own, fromAuthorization: false };
  const m = /^Bearer\s+(llmt_\S+)$/i.exec(headers.get('authorization')?.trim() ?? '');
  return m?.[1] ? { key: m[1], fromAuthorization: true } : undefined;
}

/** A verified proxy key. `keyId` is `bootstrap` for the bootstrap admin key. */
export interface VerifiedKey {
  keyId: string;
  tenantId: string;
  role: KeyRole;
}

/** What {@link createKeyVerifier} needs. */
export type KeyVerifierOptions = Pick<
  AuthPolicyOptions,
  'metadata' | 'pepper' | 'bootstrapKey' | 'bootstrapTenant' | 'cacheTtlMs' | 'cacheSize'
>;

/** A cached (or bootstrap) key, else a promise of the store's answer: see {@link createKeyLookup}. */
type KeyLookup = (raw: string) => CachedKey | undefined | Promise<CachedKey | undefined>;

/**
 * The cache behind {@link createKeyVerifier}, answering synchronously for a cached or bootstrap key
 * (nearly every request) and with a promise only when the store is read. `raw` must already be in
 * key format.
 *
 * @example
 * const lookup = createKeyLookup({ metadata });
 * const found = lookup(rawKey);
 * const key = found instanceof Promise ? await found : found;
 */
function createKeyLookup(options: KeyVerifierOptions): KeyLookup {
  const ttl = options.cacheTtlMs ?? 30_000;
  const max = options.cacheSize ?? 10_000;
  const cache = new Map<string, CachedKey | { miss: true; expires: number }>();
  const bootstrapHash = options.bootstrapKey ? hashKey(options.bootstrapKey, options.pepper) : undefined;

  const load = async (hash: string, now: number): Promise<CachedKey | undefined> => {
    const record = await options.metadata.findApiKeyByHash(hash);
    if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    if (!record || record.revokedAt !== undefined) {
      cache.set(hash, { miss: true, expires: now + Math.min(NEGATIVE_TTL_MS, ttl) });
      return undefined;
    }
    const entry: CachedKey = {
      keyId: record.id,
      tenantId: record.tenantId,
      role: roleOf(record),
      expires: now + ttl,
    };
    cache.set(hash, entry);
    return entry;
  };

  return (raw) => {
    const hash = hashKey(raw, options.pepper);
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && hit.expires > now) return 'miss' in hit ? undefined : hit;
    if (bootstrapHash && sameHash(hash, bootstrapHash)) {
      return {
        keyId: 'bootstrap',
        tenantId: options.bootstrapTenant ?? 'default',
        role: 'admin',
        expires: Number.POSITIVE_INFINITY,
      };
    }
    return load(hash, now);
  };
}

/**
 * Check raw `llmt_` keys against the metadata store by their hash, with a short cache (positive
 * for `cacheTtlMs`, negative for at most 5 s) so revocation takes effect within the TTL; a TTL of 0
 * looks every key up. Shared by the
 * request policy and the operator API.
 *
 * @example
 * const verify = createKeyVerifier({ metadata });
 * const key = await verify(rawKey); // undefined when unknown, revoked or malformed
 */
export function createKeyVerifier(
  options: KeyVerifierOptions,
): (raw: string) => Promise<VerifiedKey | undefined> {
  const lookup = createKeyLookup(options);
  return async (raw) => {
    if (!isKeyFormat(raw)) return undefined;
    const key = await lookup(raw);
    return key && { keyId: key.keyId, tenantId: key.tenantId, role: key.role };
  };
}

/**
 * Proxy authentication: every request must carry a valid, unrevoked `llmt_` key in
 * `X-LLMTrace-Key` (or as the bearer token when the tenant's upstream key is held server-side),
 * else 401. The key decides the tenant; only admin keys may name another tenant with
 * `X-LLMTrace-Tenant-ID`. The caller's own upstream `Authorization` passes through untouched.
 *
 * @example
 * createGateway({ ..., policies: [createAuthPolicy({ metadata })] });
 */
export function createAuthPolicy(options: AuthPolicyOptions): RequestPolicy {
  const lookup = createKeyLookup(options);
  const reject = (reason: string): never => {
    options.onEvent?.({ type: 'auth.rejected', reason });
    throw new LLMTraceError('unauthorized', reason);
  };

  /** With the key looked up: settle the tenant, then load its overrides. */
  const admit = (
    context: PolicyContext,
    presented: PresentedKey,
    key: CachedKey | undefined,
  ): PolicyDecision | undefined | Promise<PolicyDecision | undefined> => {
    if (!key) return reject('invalid or revoked proxy key');
    const named = context.headers.get('x-llmtrace-tenant-id');
    if (named && named !== key.tenantId && key.role !== 'admin') {
      throw new LLMTraceError('forbidden', 'this key may not act for another tenant');
    }
    // The key decides the tenant: the span and every later policy see it.
    if (!named) context.identity.tenantId = key.tenantId;
    const state = requestState(context);
    state.keyId = key.keyId;
    state.role = key.role;

    // Loaded here rather than with tenantPolicyFor: the tenant may have just changed.
    const tenantPolicy = options.overrides
      ? tenantOverridesOf(options.overrides, context.identity.tenantId)
      : undefined;
    if (tenantPolicy instanceof Promise)
      return tenantPolicy.then((loaded) => upstream(context, presented, state, loaded));
    return upstream(context, presented, state, tenantPolicy);
  };

  /** The upstream key: the tenant's, held here, or the caller's own (which must then be the one sent). */
  const upstream = (
    context: PolicyContext,
    presented: PresentedKey,
    state: RequestState,
    tenantPolicy: TenantPolicy | undefined,
  ): PolicyDecision | undefined => {
    // `{}` for a tenant without overrides, as tenantPolicyFor records it: later policies then
    // take it from the request instead of looking the tenant up again.
    state.tenantPolicy = tenantPolicy ?? {};
    if (tenantPolicy?.upstreamKey) {
      const held = tenantPolicy.upstreamKey;
      if (context.format?.provider !== 'anthropic')
        return { upstreamHeaders: { authorization: `Bearer ${held}` } };
      // Anthropic takes its key in x-api-key; a proxy key in Authorization would travel along.
      if (presented.fromAuthorization) return reject('for Anthropic, send the proxy key in X-LLMTrace-Key');
      return { upstreamHeaders: { 'x-api-key': held } };
    }
    if (presented.fromAuthorization) {
      // Forwarding our own key upstream would leak it and fail anyway.
      return reject(
        'no upstream key is held for this tenant: send the proxy key in X-LLMTrace-Key and the upstream key in Authorization',
      );
    }
    return undefined;
  };

  return {
    name: 'auth',
    // Synchronous for a cached key and cached overrides; refusals still come as a rejected promise.
    check(context) {
      try {
        const presented = presentedKey(context.headers);
        if (!presented) return reject(`missing proxy key: send X-LLMTrace-Key: ${KEY_PREFIX}…`);
        if (!isKeyFormat(presented.key)) return reject('invalid proxy key');
        const key = lookup(presented.key);
        if (key instanceof Promise) return key.then((found) => admit(context, presented, found));
        return admit(context, presented, key);
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
}
