import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LLMTraceError } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from './load.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'llmtrace-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function errorOf(fn: () => unknown): LLMTraceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LLMTraceError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('loadConfig', () => {
  it('defaults: SQLite at ./llmtrace.db, OpenAI upstream, 10 MiB bodies', () => {
    const c = loadConfig({ env: {} });
    expect(c.storage).toMatchObject({
      profile: 'sqlite',
      database_path: './llmtrace.db',
      auto_migrate: true,
    });
    expect(c.upstream_url).toBe('https://api.openai.com');
    expect(c.listen_addr).toBe('127.0.0.1:8080');
    expect(c.max_request_body_bytes).toBe(10 * 1024 * 1024);
  });

  it('every example config in the repository loads', () => {
    const candidates = [
      join(repoRoot, 'config.example.yaml'),
      ...readdirSync(join(repoRoot, 'examples'))
        .filter((f) => /^config.*\.ya?ml$/.test(f))
        .map((f) => join(repoRoot, 'examples', f)),
    ];
    expect(candidates.length).toBeGreaterThan(0);
    for (const path of candidates)
      expect(() => loadConfig({ configPath: path, env: {} }), path).not.toThrow();
  });

  it('precedence: file < env < CLI flags', () => {
    const path = file(
      'p.yaml',
      'listen_addr: 0.0.0.0:1111\nupstream_url: http://file.example\nlogging:\n  level: warn\n',
    );
    const fromFile = loadConfig({ configPath: path, env: {} });
    expect(fromFile.listen_addr).toBe('0.0.0.0:1111');
    const fromEnv = loadConfig({
      configPath: path,
      env: { LLMTRACE_LISTEN_ADDR: '127.0.0.1:2222', LLMTRACE_LOG_LEVEL: 'debug' },
    });
    expect(fromEnv.listen_addr).toBe('127.0.0.1:2222');
    expect(fromEnv.logging.level).toBe('debug');
    expect(fromEnv.upstream_url).toBe('http://file.example');
    const fromCli = loadConfig({
      configPath: path,
      env: { LLMTRACE_LISTEN_ADDR: '127.0.0.1:2222' },
      cli: { listen: '127.0.0.1:3333' },
    });
    expect(fromCli.listen_addr).toBe('127.0.0.1:3333');
  });

  it('LLMTRACE_CONFIG names the file when no path is given', () => {
    const path = file('e.yaml', 'upstream_url: http://env-file.example\n');
    expect(loadConfig({ env: { LLMTRACE_CONFIG: path } }).upstream_url).toBe('http://env-file.example');
  });

  it('an env profile switch drops the other profile keys instead of failing', () => {
    const path = file(
      's.yaml',
      'storage:\n  profile: sqlite\n  database_path: ./x.db\n  retention_days: 7\n',
    );
    const c = loadConfig({ configPath: path, env: { LLMTRACE_STORAGE_PROFILE: 'memory' } });
    expect(c.storage.profile).toBe('memory');
    expect(c.storage.retention_days).toBe(7);
  });

  it('sets the security scan cache and warm-up from the environment, numbers coerced', () => {
    const c = loadConfig({
      env: { LLMTRACE_SECURITY_SCAN_CACHE_CHARS: '0', LLMTRACE_SECURITY_WARM_UP_CALLS: '10' },
    });
    expect(c.security.scan_cache_chars).toBe(0);
    expect(c.security.warm_up_calls).toBe(10);
  });

  it('ignores storage variables that belong to another profile', () => {
    const c = loadConfig({
      env: { LLMTRACE_STORAGE_PROFILE: 'memory', LLMTRACE_STORAGE_DATABASE_PATH: './x.db' },
    });
    expect(c.storage).not.toHaveProperty('database_path');
  });

  it.each([
    ['storage:\n  profile: mysql\n', 'storage.profile'],
    ['storage:\n  profile: postgres\n', 'storage.postgres_url'],
    ['upstream_url: not a url\n', 'upstream_url'],
    ['listen_addr: 8080\n', 'listen_addr'],
    ['max_request_body_bytes: -1\n', 'max_request_body_bytes'],
    ['unknown_key: 1\n', 'unknown_key'],
    ['routes:\n  - upstream: http://x.example\n', 'routes.0'],
  ])('rejects %j naming the key %s', (yaml, key) => {
    const err = errorOf(() => loadConfig({ configPath: file('bad.yaml', yaml), env: {} }));
    expect(err.code).toBe('invalid_config');
    expect(err.message).toContain(key);
  });

  it('names the variable for a malformed env value', () => {
    const err = errorOf(() => loadConfig({ env: { LLMTRACE_MAX_REQUEST_BODY_BYTES: 'lots' } }));
    expect(err.message).toContain('LLMTRACE_MAX_REQUEST_BODY_BYTES');
  });

  it('reports unreadable and non-YAML files clearly', () => {
    expect(errorOf(() => loadConfig({ configPath: join(dir, 'missing.yaml'), env: {} })).message).toContain(
      'ENOENT',
    );
    expect(
      errorOf(() => loadConfig({ configPath: file('y.yaml', 'a: [1, 2\n'), env: {} })).message,
    ).toContain('not valid YAML');
    expect(
      errorOf(() => loadConfig({ configPath: file('l.yaml', '- 1\n- 2\n'), env: {} })).message,
    ).toContain('mapping');
  });

  it('redacts secrets and URL passwords', () => {
    const c = loadConfig({
      env: {
        LLMTRACE_STORAGE_PROFILE: 'postgres',
        LLMTRACE_STORAGE_POSTGRES_URL: 'postgres://app:hunter2@db:5432/x',
        LLMTRACE_TENANT_SECRET: 'supersecretvalue',
      },
    });
    const text = JSON.stringify(redactConfig(c));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('supersecretvalue');
    expect(text).toContain('postgres://app:***@db:5432/x');
  });
});
