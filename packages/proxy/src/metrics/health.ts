import { Hono } from 'hono';

/** One readiness check: resolves `{ ok }`; a throw or a timeout counts as not ok. */
export type HealthCheck = () => Promise<{ ok: boolean; detail?: string }>;

/** Dependencies of {@link createHealthRoutes}. */
export interface HealthDeps {
  /** Components by name: `store`, `writer`, `breakers`, `redis`, … */
  checks: Record<string, HealthCheck>;
  /** Per-check timeout in ms (default 2000). */
  timeoutMs?: number;
}

/**
 * `GET /health` (liveness: 200 while the process serves) and `GET /ready` (readiness: 200 when every
 * check passes, else 503; JSON with each component's state). Check details never include stack traces.
 *
 * @example
 * app.route('/', createHealthRoutes({ checks: { store: () => store.health() } }));
 */
export function createHealthRoutes(deps: HealthDeps): Hono {
  const timeoutMs = deps.timeoutMs ?? 2000;
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ready', async (c) => {
    const entries = await Promise.all(
      Object.entries(deps.checks).map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<{ ok: boolean; detail: string }>((resolve) => {
            timer = setTimeout(
              () => resolve({ ok: false, detail: `timed out after ${timeoutMs} ms` }),
              timeoutMs,
            );
          });
          const r = await Promise.race([check(), timeout]);
          return [name, r.detail === undefined ? { ok: r.ok } : { ok: r.ok, detail: r.detail }] as const;
        } catch {
          return [name, { ok: false, detail: 'check failed' }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const components = Object.fromEntries(entries);
    const ready = entries.every(([, r]) => r.ok);
    return c.json({ status: ready ? 'ready' : 'not_ready', components }, ready ? 200 : 503);
  });
  return app;
}
