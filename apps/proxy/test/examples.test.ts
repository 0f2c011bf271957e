import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the shell examples exactly as a reader would (they drive the built CLI: `pnpm build` first;
// `pnpm test` does it). Each script checks its own responses and exits non-zero on any failure.
// Generous timeouts: the scripts take a few seconds alone, longer beside the rest of the suite.
const root = fileURLToPath(new URL('../../../', import.meta.url));

function runExample(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [`examples/${script}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('shell examples', () => {
  it('basic_proxy.sh: plain, streaming and failing calls, shown from SQLite and the API', async () => {
    const r = await runExample('basic_proxy.sh');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/received \d+ chunks, then \[DONE\]/);
    expect(r.stdout).toContain('HTTP 500');
    expect(r.stdout).toContain('gpt-4o-mini');
    expect(r.stdout).toContain('basic_proxy: OK');
  }, 60_000);

  it('security_test.sh: every attack gets a verdict and findings; the harmless prompt passes', async () => {
    const r = await runExample('security_test.sh');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const verdicts = r.stdout.split('== findings')[1] ?? '';
    for (const name of [
      'system-prompt-override',
      'role-injection',
      'base64-payload',
      'jailbreak-persona',
      'delimiter-injection',
      'pii-in-prompt',
      'secret-in-response',
      'system-prompt-leak',
    ]) {
      expect(verdicts).toMatch(new RegExp(`^${name}\\s+(BLOCKED|FLAGGED|REDACTED)\\s+score`, 'm'));
    }
    expect(verdicts).toMatch(/^harmless\s+allowed/m);
    expect(r.stdout).toContain('security_test: OK');
  }, 60_000);
});
