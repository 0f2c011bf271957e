import { LLMTraceError } from '@llmtrace/core';
import { Hono } from 'hono';
import { type ApiEnv, isGlobalAdmin, need, parseBody, parseQuery, tenantOf } from './context.js';
import { createKeyBody, createTenantBody, eventsQuery, tenantParam } from './schemas.js';
import type { ApiDeps, KeyAdmin } from './types.js';

function keysOrNotFound(keys: KeyAdmin | undefined): KeyAdmin {
  if (!keys) throw new LLMTraceError('not_found', 'key administration is not enabled');
  return keys;
}

/** Operator and admin routes: spend, anomalies, alerts, tenants and API keys. */
export function createAdminRoutes(deps: Pick<ApiDeps, 'keys' | 'spend' | 'events'>): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/spend', async (c) => {
    const q = parseQuery(c, tenantParam);
    const tenantId = tenantOf(need(c, 'operator'), q.tenant);
    const windows = deps.spend ? await deps.spend(tenantId) : [];
    return c.json({ tenantId, windows });
  });

  for (const kind of ['anomaly', 'alert'] as const) {
    app.get(kind === 'anomaly' ? '/anomalies' : '/alerts', async (c) => {
      const q = parseQuery(c, eventsQuery);
      const tenantId = tenantOf(need(c, 'operator'), q.tenant);
      const events = deps.events ? await deps.events.list(tenantId, kind, q.limit ?? 100) : [];
      // Defence in depth: an event log that ignores the tenant must not leak other tenants.
      return c.json({ events: events.filter((e) => e.tenantId === tenantId) });
    });
  }

  app.get('/tenants', async (c) => {
    const p = need(c, 'operator');
    const keys = keysOrNotFound(deps.keys);
    const all = await keys.listTenants();
    return c.json({ tenants: isGlobalAdmin(p) ? all : all.filter((t) => t.id === p.tenantId) });
  });

  app.post('/tenants', async (c) => {
    const p = need(c, 'admin');
    if (!isGlobalAdmin(p)) throw new LLMTraceError('forbidden', 'only a global admin may create tenants');
    const body = await parseBody(c, createTenantBody);
    return c.json(await keysOrNotFound(deps.keys).createTenant(body), 201);
  });

  app.get('/keys', async (c) => {
    const q = parseQuery(c, tenantParam);
    const tenantId = tenantOf(need(c, 'operator'), q.tenant);
    return c.json({ keys: await keysOrNotFound(deps.keys).listKeys(tenantId) });
  });

  app.post('/keys', async (c) => {
    const p = need(c, 'admin');
    const body = await parseBody(c, createKeyBody);
    const tenantId = isGlobalAdmin(p) ? body.tenantId : p.tenantId;
    if (tenantId === undefined)
      throw new LLMTraceError('invalid_request', "body field 'tenantId' is required for a global admin");
    // Only the global admin may mint keys for the global tenant.
    if (tenantId === '*' && !isGlobalAdmin(p))
      throw new LLMTraceError('forbidden', 'cannot create keys for the global tenant');
    const created = await keysOrNotFound(deps.keys).createKey({
      tenantId,
      role: body.role,
      label: body.label,
    });
    return c.json(created, 201);
  });

  app.delete('/keys/:keyId', async (c) => {
    const q = parseQuery(c, tenantParam);
    const tenantId = tenantOf(need(c, 'admin'), q.tenant);
    const ok = await keysOrNotFound(deps.keys).revokeKey(tenantId, c.req.param('keyId'));
    if (!ok) throw new LLMTraceError('not_found', 'key not found');
    return c.json({ revoked: true });
  });

  return app;
}
