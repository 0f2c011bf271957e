import type { Principal, Role } from './types.js';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` includes the rights of `needed` (admin ⊃ operator ⊃ viewer). */
export function hasRole(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/**
 * The LLMTrace key a request carries: `X-LLMTrace-Key: llmt_…`, else `Authorization: Bearer llmt_…`.
 * Bearer tokens without the `llmt_` prefix are upstream provider keys and are ignored.
 */
export function extractApiKey(headers: Headers): string | undefined {
  const direct = headers.get('x-llmtrace-key')?.trim();
  if (direct) return direct;
  const auth = headers.get('authorization');
  const m = auth ? /^Bearer\s+(llmt_\S+)$/i.exec(auth.trim()) : null;
  return m?.[1];
}

/**
 * An authenticator over a fixed map of raw keys → principals (tests, demos, single-user setups).
 *
 * @example
 * const authenticate = createStaticAuthenticator({ llmt_admin: { tenantId: '*', role: 'admin' } });
 */
export function createStaticAuthenticator(
  keys: Readonly<Record<string, Principal>>,
): (headers: Headers) => Promise<Principal | undefined> {
  const map = new Map(Object.entries(keys));
  return async (headers) => {
    const key = extractApiKey(headers);
    return key === undefined ? undefined : map.get(key);
  };
}
