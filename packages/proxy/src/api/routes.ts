import { LLMTraceError, silentLogger, toErrorResponse } from '@llmtrace/core';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { createAdminRoutes } from './admin-routes.js';
import type { ApiEnv } from './context.js';
import { buildOpenApiDocument } from './openapi.js';
import { createReadRoutes } from './read-routes.js';
import type { ApiDeps } from './types.js';

/**
 * The REST API, to mount at `/api/v1`: spans, traces, findings, stats, spend, anomalies, alerts,
 * tenants and keys. Every request is authenticated with `deps.authenticate` (401 otherwise) and
 * scoped to the caller's tenant; roles admin ⊃ operator ⊃ viewer are enforced per route. Errors
 * use the one `{"error":{message,type,code}}` shape with the status from core's `ERROR_TABLE`;
 * unknown paths answer 404 here (never forwarded upstream). The OpenAPI document is public at
 * `/openapi.json`.
 *
 * @example
 * app.route('/api/v1', createApiRoutes({ store, authenticate }));
 */
export function createApiRoutes(deps: ApiDeps): Hono {
  const logger = deps.logger ?? silentLogger;
  const app = new Hono<ApiEnv>();
  let openapi: Record<string, unknown> | undefined;

  app.onError((err, c) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500)
      logger.error('api error', {
        path: c.req.path,
        error: err instanceof Error ? err.message : String(err),
      });
    return c.json(body, status as ContentfulStatusCode);
  });
  app.notFound(() => {
    throw new LLMTraceError('not_found', 'no such API route');
  });

  app.get('/openapi.json', (c) => {
    openapi ??= buildOpenApiDocument();
    return c.json(openapi);
  });

  app.use('*', async (c, next) => {
    const principal = await deps.authenticate(c.req.raw.headers);
    if (!principal) throw new LLMTraceError('unauthorized', 'missing or invalid LLMTrace API key');
    c.set('principal', principal);
    c.header('cache-control', 'no-store');
    await next();
  });

  app.get('/me', (c) => c.json(c.get('principal')));
  app.route('/', createReadRoutes(deps.store));
  app.route('/', createAdminRoutes(deps));
  // Unknown paths under /api/v1 stop here instead of falling through to the proxy.
  app.all('*', () => {
    throw new LLMTraceError('not_found', 'no such API route');
  });
  return app as unknown as Hono;
}
