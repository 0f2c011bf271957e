import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createUiRoutes } from '../src/ui/index.js';

describe('dashboard assets', () => {
  const app = createUiRoutes();

  it('serves the page, script and stylesheet with the right types and a strict CSP', async () => {
    const page = await app.request('/ui');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('src="ui/app.js"');
    const js = await app.request('/ui/app.js');
    expect(js.headers.get('content-type')).toContain('text/javascript');
    const css = await app.request('/ui/app.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await app.request('/ui/nope.js')).status).toBe(404);
  });

  it('ships a script that parses, and loads nothing from outside the proxy', async () => {
    const bodies = await Promise.all(
      ['/ui', '/ui/app.js', '/ui/app.css'].map(async (p) => (await app.request(p)).text()),
    );
    expect(() => new Script(bodies[1] ?? '')).not.toThrow();
    for (const body of bodies) {
      expect(body).not.toMatch(/https?:\/\//);
      expect(body).not.toMatch(/src="\/\//);
      expect(body).not.toMatch(/@import/);
    }
  });
});
