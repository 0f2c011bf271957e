import { createHmac } from 'node:crypto';
import { LLMTraceError } from '@llmtrace/core';

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** Anything with a `Headers`-style `get` (a web `Headers`, or a view of a Node request). */
export type HeaderReader = Pick<Headers, 'get'>;

/** Who a request belongs to. */
export interface RequestIdentity {
  tenantId: string;
  agentId?: string;
  sessionId?: string;
  endUser?: string;
}

/** The caller's upstream API key, from `Authorization: Bearer …` or `x-api-key`. */
export function callerApiKey(headers: HeaderReader): string | undefined {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return (m?.[1] ?? auth).trim() || undefined;
  }
  return headers.get('x-api-key')?.trim() || headers.get('api-key')?.trim() || undefined;
}

/**
 * Derive a stable tenant id from an API key with a keyed hash (HMAC-SHA256), so the raw key is
 * never stored or logged and cannot be recovered from the id.
 */
export function tenantFromKey(apiKey: string, secret: string): string {
  const hit = derived.get(apiKey);
  if (hit !== undefined && hit.secret === secret) return hit.id;
  const id = `key-${createHmac('sha256', secret).update(apiKey).digest('hex').slice(0, 24)}`;
  // A process sees few distinct keys, and each one on every request: remember them (bounded),
  // since the keyed hash is a large part of the per-request cost otherwise.
  if (derived.size >= MAX_DERIVED) derived.clear();
  derived.set(apiKey, { secret, id });
  return id;
}

const MAX_DERIVED = 4096;
const derived = new Map<string, { secret: string; id: string }>();

function optionalId(headers: HeaderReader, name: string): string | undefined {
  const v = headers.get(name);
  if (v === null || v === '') return undefined;
  if (!TENANT_ID.test(v)) throw new LLMTraceError('invalid_request', `invalid ${name} header`);
  return v;
}

/**
 * Resolve tenant, agent and session for a request: `X-LLMTrace-Tenant-ID`, else a keyed hash of
 * the caller's API key, else `default`. Malformed ids are a 400, never stored.
 */
export function resolveIdentity(headers: HeaderReader, secret: string): RequestIdentity {
  const explicit = optionalId(headers, 'x-llmtrace-tenant-id');
  const key = explicit ? undefined : callerApiKey(headers);
  return {
    tenantId: explicit ?? (key ? tenantFromKey(key, secret) : 'default'),
    agentId: optionalId(headers, 'x-llmtrace-agent-id'),
    sessionId: optionalId(headers, 'x-llmtrace-session-id'),
  };
}
