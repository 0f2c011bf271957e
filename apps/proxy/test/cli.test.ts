import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Drives the built CLI (`pnpm build` first; `pnpm test` does it) as a user would.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'llmtrace-cli-'));

function start(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray; log: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const m = ready.exec(buf);
      if (m) resolve({ child, match: m, log: () => buf });
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${buf}`)));
  });
}

function run(
  args: string[],
  env: Record<string, string> = {},
): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('llmtrace-proxy validate', () => {
  it('prints the resolved config with secrets redacted', () => {
    const r = run(['validate'], { LLMTRACE_TENANT_SECRET: 'my-very-secret-value', LLMTRACE_CONFIG: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('profile: sqlite');
    expect(r.stdout).not.toContain('my-very-secret-value');
  });

  it('exits non-zero and names the key on an invalid config', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'storage:\n  profile: postgres\n');
    const r = run(['validate', '--config', path]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('storage.postgres_url');
  });
});

// The ways spans can be built: on the proxy's thread (calls of the default size), on the analysis
// worker (all calls), and on the worker started at the first call over large_call_bytes.
describe.each([
  ['on the main thread', 'false', '32768'],
  ['on the analysis worker', 'true', '32768'],
  ['on the worker started for large calls', 'false', '10'],
])(
  'llmtrace-proxy serving against the built-in fake upstream, spans built %s',
  (label, worker, largeBytes) => {
    const db = join(dir, `llmtrace-${worker}-${largeBytes}.db`);
    let upstream: Awaited<ReturnType<typeof start>>;
    let proxy: Awaited<ReturnType<typeof start>>;
    let client: OpenAI;

    beforeAll(async () => {
      upstream = await start(['mock-upstream', '--port', '0'], {}, /listening on (http:\/\/\S+)/);
      proxy = await start(
        ['--listen', '127.0.0.1:0', '--upstream', upstream.match[1]!, '--log-format', 'json'],
        {
          LLMTRACE_STORAGE_DATABASE_PATH: db,
          LLMTRACE_CONFIG: '',
          LLMTRACE_STORAGE_PROFILE: 'sqlite',
          LLMTRACE_ANALYSIS_WORKER: worker,
          LLMTRACE_ANALYSIS_LARGE_CALL_BYTES: largeBytes,
        },
        /"url":"(http:\/\/[^"]+)"/,
      );
      client = new OpenAI({ apiKey: 'sk-cli-test', baseURL: `${proxy.match[1]}/v1`, maxRetries: 0 });
    });
    afterAll(() => {
      proxy?.child.kill('SIGKILL');
      upstream?.child.kill('SIGTERM');
    });

    it('records every call in SQLite, queryable with the documented sqlite3 command, after a graceful SIGTERM', async () => {
      const res = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hello sqlite, write to jane.doe@example.com' }],
      });
      expect(res.choices[0]?.message.content).toContain('hello sqlite');
      const stream = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'stream it' }],
        stream: true,
      });
      for await (const _ of stream) {
        // drain
      }
      const exited = new Promise<number | null>((r) => proxy.child.once('exit', (code) => r(code)));
      proxy.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(proxy.log()).toContain('shutdown complete');
      // Which thread built the spans: the worker says when it starts, and for which calls.
      const started = /"msg":"span analysis worker starting","for":"([^"]+)"/.exec(proxy.log())?.[1];
      expect(started).toBe(
        label === 'on the main thread' ? undefined : worker === 'true' ? 'every call' : 'calls over 10 bytes',
      );
      expect(proxy.log()).not.toContain('analysing on the main thread');

      const out = execFileSync(
        'sqlite3',
        [
          db,
          'SELECT trace_id, model_name, security_score, duration_ms FROM spans ORDER BY start_time DESC LIMIT 10;',
        ],
        { encoding: 'utf8' },
      );
      const rows = out.trim().split('\n');
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatch(/^[0-9a-f]{32}\|gpt-4o\|[\d.]+\|\d+$/);
      expect(rows[1]).toMatch(/^[0-9a-f]{32}\|gpt-4o-mini\|[\d.]+\|\d+$/);

      const conn = new Database(db, { readonly: true });
      const modes = conn.pragma('journal_mode', { simple: true });
      // The analysis ran: the stream (no usage from the upstream) got a tokenizer estimate, both
      // calls a price, and the email in the prompt a finding.
      const spans = conn
        .prepare('SELECT model_name, usage_source, completion_tokens, cost_usd, findings FROM spans')
        .all() as Array<{
        model_name: string;
        usage_source: string;
        completion_tokens: number;
        cost_usd: number | null;
        findings: string;
      }>;
      conn.close();
      expect(modes).toBe('wal');
      const streamed = spans.find((s) => s.model_name === 'gpt-4o');
      expect(streamed?.usage_source).toBe('estimated');
      expect(streamed?.completion_tokens).toBeGreaterThan(0);
      expect(spans.every((s) => s.cost_usd !== null && s.cost_usd > 0)).toBe(true);
      const plain = spans.find((s) => s.model_name === 'gpt-4o-mini');
      expect(JSON.parse(plain?.findings ?? '[]').map((f: { type: string }) => f.type)).toContain('pii.email');
    });
  },
);
