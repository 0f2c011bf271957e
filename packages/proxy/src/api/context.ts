import { LLMTraceError } from '@llmtrace/core';
import type { Context } from 'hono';
import type { z } from 'zod';
import { hasRole } from './auth.js';
import type { Principal, Role } from './types.js';

/** Hono variables set by the API's auth middleware. */
export interface ApiEnv {
  Variables: { principal: Principal };
}

/** Parse and validate a query string; a bad value is a 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(c: Context<ApiEnv>, schema: S): z.output<S> {
  return check(schema, c.req.query(), 'query parameter');
}

/** Parse and validate a JSON body. */
export async function parseBody<S extends z.ZodType>(c: Context<ApiEnv>, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new LLMTraceError('invalid_request', 'request body must be JSON');
  }
  return check(schema, raw, 'body field');
}

function check<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${what} '${issue.path.join('.')}'` : what;
  throw new LLMTraceError('invalid_request', `invalid ${where}: ${issue?.message ?? 'invalid value'}`);
}

/** The caller; throws 403 unless they hold at least `role`. */
export function need(c: Context<ApiEnv>, role: Role): Principal {
  const p = c.get('principal');
  if (!hasRole(p.role, role)) throw new LLMTraceError('forbidden', `this action needs the ${role} role`);
  return p;
}

/** Whether the caller is the global admin (tenant `*`), who may act on any tenant. */
export function isGlobalAdmin(p: Principal): boolean {
  return p.tenantId === '*' && p.role === 'admin';
}

/**
 * The tenant a request acts on. Everybody is pinned to their own tenant whatever they pass; the
 * global admin must name one with `?tenant=`.
 */
export function tenantOf(p: Principal, requested: string | undefined): string {
  if (!isGlobalAdmin(p)) return p.tenantId;
  if (requested === undefined)
    throw new LLMTraceError('invalid_request', "query parameter 'tenant' is required for a global admin");
  return requested;
}
