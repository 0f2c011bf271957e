import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, createMockUpstream, generateKey } from '@llmtrace/gateway';
import { createScanner } from '@llmtrace/security';
import { createMemoryCounterStore, createMemoryMetadataStore } from '@llmtrace/storage/memory';
import { cac } from 'cac';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerKeysCommand } from '../src/commands/keys.js';
import { registerSpendCommand } from '../src/commands/spend.js';
import { policiesConfigSchema } from '../src/config/policies-schema.js';
import { createPoliciesFromConfig, policiesConfigOf } from '../src/policies.js';

const priceOf = () => ({ input: 1, output: 2 });

describe('policies configuration', () => {
  it('defaults to no policies at all (a transparent proxy)', () => {
    const config = policiesConfigOf({});
    const built = createPoliciesFromConfig(
      { ...config, tenant_policies: { enabled: false, cache_ttl_ms: 0 } },
      {
        metadata: createMemoryMetadataStore(),
        counters: createMemoryCounterStore(),
        scanner: createScanner(),
        priceOf,
      },
    );
    expect(built.policies).toEqual([]);
  });

  it('builds every configured policy in pipeline order', async () => {
    const config = policiesConfigSchema.parse({
      auth: { enabled: true },
      rate_limits: { rules: [{ scope: 'tenant', requests_per_minute: 60 }] },
      budgets: { rules: [{ scope: 'tenant', window: 'daily', hard_usd: 5 }] },
      token_caps: { max_completion_tokens: 1000 },
      enforcement: { rules: [{ match: 'secret.*', action: 'redact' }] },
      output_guard: { enabled: true },
    });
    const built = createPoliciesFromConfig(config, {
      metadata: createMemoryMetadataStore(),
      counters: createMemoryCounterStore(),
      scanner: createScanner(),
      priceOf,
    });
    expect(built.policies.map((p) => p.name)).toEqual([
      'auth',
      'rate-limit',
      'token-caps',
      'input-scan',
      'enforcement',
      'budget',
      'output-guard',
    ]);
    expect(built.budgets).toBeDefined();
    await built.close();
  });

  it('names the key and the problem in configuration errors', () => {
    const bad = policiesConfigSchema.safeParse({ rate_limits: { rules: [{ scope: 'tenant' }] } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('requests_per_minute');
    const key = policiesConfigSchema.safeParse({ auth: { bootstrap_key: 'sk-not-ours' } });
    expect(key.success).toBe(false);
    expect(key.error?.issues[0]?.path).toEqual(['auth', 'bootstrap_key']);
    const action = policiesConfigSchema.safeParse({
      enforcement: { rules: [{ match: 'pii.*', action: 'shout' }] },
    });
    expect(action.success).toBe(false);
  });

  it('redis rate limits need a Redis URL', () => {
    const config = policiesConfigSchema.parse({
      rate_limits: { backend: 'redis', rules: [{ scope: 'tenant', requests_per_minute: 1 }] },
    });
    expect(() =>
      createPoliciesFromConfig(config, {
        metadata: createMemoryMetadataStore(),
        counters: createMemoryCounterStore(),
        priceOf,
      }),
    ).toThrow(/redis_url/);
  });
});

describe('policies from config in a gateway', () => {
  it('auth, token caps and enforcement apply to real requests', async () => {
    const upstream = await createMockUpstream();
    const boot = generateKey();
    const config = policiesConfigSchema.parse({
      auth: { enabled: true, bootstrap_key: boot },
      token_caps: { max_completion_tokens: 64 },
      enforcement: { rules: [{ match: 'secret.*', action: 'redact' }] },
      rate_limits: { rules: [{ scope: 'tenant', requests_per_minute: 2 }] },
    });
    const built = createPoliciesFromConfig(config, {
      metadata: createMemoryMetadataStore(),
      counters: createMemoryCounterStore(),
      scanner: createScanner(),
      priceOf,
    });
    const gw = createGateway({ upstreamUrl: upstream.url, sink: { record() {} }, policies: built.policies });
    const call = (headers: Record<string, string>) =>
      gw.app.request('/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-up', ...headers },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          max_tokens: 1000,
          messages: [{ role: 'user', content: 'key AKIAZ3MSJV4WWXQDEFGH' }],
        }),
      });
    try {
      expect((await call({})).status).toBe(401);
      const ok = await call({ 'x-llmtrace-key': boot });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-limit-requests')).toBe('2');
      const sent = JSON.parse(upstream.received[upstream.received.length - 1]!.body.toString('utf8')) as {
        max_tokens: number;
        messages: Array<{ content: string }>;
      };
      expect(sent.max_tokens).toBe(64);
      expect(sent.messages[0]!.content).toBe('key [REDACTED:secret.aws_access_key]');
      expect((await call({ 'x-llmtrace-key': boot })).status).toBe(200);
      const limited = await call({ 'x-llmtrace-key': boot });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await gw.close();
      await built.close();
      await upstream.close();
    }
  });
});

describe('keys and spend commands', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'llmtrace-keys-'));
    process.env.LLMTRACE_STORAGE_PROFILE = 'sqlite';
    process.env.LLMTRACE_STORAGE_DATABASE_PATH = join(dir, 'meta.db');
    process.env.LLMTRACE_LOG_LEVEL = 'silent';
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[]): Promise<string> {
    const cli = cac('llmtrace-proxy');
    registerKeysCommand(cli);
    registerSpendCommand(cli);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      cli.parse(['node', 'llmtrace-proxy', ...args], { run: false });
      await cli.runMatchedCommand();
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
    }
    return out.join('');
  }

  it('creates a key (printed once), lists it without the secret, revokes it', async () => {
    const created = JSON.parse(
      await run(['keys', 'create', '--tenant', 'acme', '--role', 'admin', '--json']),
    ) as { key: string; id: string; role: string };
    expect(created.key).toMatch(/^llmt_/);
    expect(created.role).toBe('admin');
    const listed = await run(['keys', 'list', '--tenant', 'acme']);
    expect(listed).toContain(created.id);
    expect(listed).toContain('active');
    expect(listed).not.toContain(created.key);
    expect(await run(['keys', 'revoke', created.id])).toContain(`revoked ${created.id}`);
    expect(await run(['keys', 'list', '--tenant', 'acme'])).toContain('revoked');
  });

  it('refuses an unknown role', async () => {
    await expect(run(['keys', 'create', '--tenant', 'acme', '--role', 'root'])).rejects.toThrow(/--role/);
  });

  it('spend prints per-window spend for the tenant (none configured here)', async () => {
    expect(await run(['spend', '--tenant', 'acme'])).toContain('no budgets configured for tenant acme');
  });
});
