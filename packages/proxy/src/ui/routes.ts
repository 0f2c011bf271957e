import { Hono } from 'hono';
import { INDEX_HTML } from './assets/page.js';
import { SCRIPT_CORE } from './assets/script-core.js';
import { SCRIPT_TRACES } from './assets/script-traces.js';
import { SCRIPT_VIEWS } from './assets/script-views.js';
import { APP_CSS } from './assets/styles.js';

const SECURITY_HEADERS = {
  // Everything comes from the proxy itself: no CDN, no inline script, no third-party connection.
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The dashboard, served by the proxy at `/ui`: overview, traces (filters, search, live tail), trace
 * detail with highlighted findings, security and costs. Static assets are embedded strings; the page
 * calls `/api/v1` with the key the user pastes (kept in localStorage).
 *
 * @example
 * app.route('/', createUiRoutes());   // before the proxy's catch-all
 */
export function createUiRoutes(): Hono {
  const app = new Hono();
  const script = `(function () {\n${SCRIPT_CORE}\n${SCRIPT_TRACES}\n${SCRIPT_VIEWS}\n})();\n`;
  app.get('/ui', (c) => c.html(INDEX_HTML, 200, SECURITY_HEADERS));
  app.get('/ui/', (c) => c.redirect('../ui', 301));
  app.get('/ui/app.js', (c) =>
    c.body(script, 200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    }),
  );
  app.get('/ui/app.css', (c) =>
    c.body(APP_CSS, 200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'no-cache',
    }),
  );
  app.all('/ui/*', (c) => c.text('not found', 404));
  return app;
}
