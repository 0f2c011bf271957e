import { readFileSync } from 'node:fs';
import { LLMTraceError } from '@llmtrace/core';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { POLICY_ENV_KEYS } from './policies-schema.js';
import { type Config, configSchema } from './schema.js';

type Json = Record<string, unknown>;
type Coerce = 'string' | 'number' | 'boolean';

/** Environment variables and the config key each sets. */
export const ENV_KEYS: Readonly<Record<string, { path: string; type: Coerce }>> = {
  LLMTRACE_LISTEN_ADDR: { path: 'listen_addr', type: 'string' },
  LLMTRACE_UPSTREAM_URL: { path: 'upstream_url', type: 'string' },
  LLMTRACE_MAX_REQUEST_BODY_BYTES: { path: 'max_request_body_bytes', type: 'number' },
  LLMTRACE_MEMORY_IDLE_GC_MS: { path: 'memory.idle_gc_ms', type: 'number' },
  LLMTRACE_INJECT_STREAM_USAGE: { path: 'inject_stream_usage', type: 'boolean' },
  LLMTRACE_TENANT_SECRET: { path: 'tenant_secret', type: 'string' },
  LLMTRACE_STORAGE_PROFILE: { path: 'storage.profile', type: 'string' },
  LLMTRACE_STORAGE_DATABASE_PATH: { path: 'storage.database_path', type: 'string' },
  LLMTRACE_STORAGE_POSTGRES_URL: { path: 'storage.postgres_url', type: 'string' },
  LLMTRACE_STORAGE_CLICKHOUSE_URL: { path: 'storage.clickhouse_url', type: 'string' },
  LLMTRACE_STORAGE_REDIS_URL: { path: 'storage.redis_url', type: 'string' },
  LLMTRACE_STORAGE_AUTO_MIGRATE: { path: 'storage.auto_migrate', type: 'boolean' },
  LLMTRACE_STORAGE_RETENTION_DAYS: { path: 'storage.retention_days', type: 'number' },
  LLMTRACE_STORAGE_REDACT_PII: { path: 'storage.redact_pii', type: 'boolean' },
  LLMTRACE_SECURITY_ENABLED: { path: 'security.enabled', type: 'boolean' },
  LLMTRACE_SECURITY_WARM_UP_CALLS: { path: 'security.warm_up_calls', type: 'number' },
  LLMTRACE_SECURITY_SCAN_CACHE_CHARS: { path: 'security.scan_cache_chars', type: 'number' },
  LLMTRACE_ANALYSIS_WORKER: { path: 'analysis.worker', type: 'boolean' },
  LLMTRACE_ANALYSIS_LARGE_CALL_BYTES: { path: 'analysis.large_call_bytes', type: 'number' },
  LLMTRACE_LOG_LEVEL: { path: 'logging.level', type: 'string' },
  LLMTRACE_LOG_FORMAT: { path: 'logging.format', type: 'string' },
  ...POLICY_ENV_KEYS,
};

/** Keys each storage profile accepts besides the common ones. */
const PROFILE_KEYS: Record<string, readonly string[]> = {
  sqlite: ['database_path'],
  memory: [],
  postgres: ['postgres_url', 'redis_url'],
  clickhouse: ['clickhouse_url', 'redis_url'],
  production: ['clickhouse_url', 'postgres_url', 'redis_url'],
};
const COMMON_STORAGE_KEYS = ['profile', 'auto_migrate', 'retention_days', 'redact_pii', 'writer'];

/** CLI flags that override configuration. */
export interface CliOverrides {
  listen?: string;
  upstream?: string;
  logLevel?: string;
  logFormat?: string;
}

export interface LoadConfigOptions {
  /** YAML file; `LLMTRACE_CONFIG` when unset; none when both are unset. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  cli?: CliOverrides;
}

function setPath(obj: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (!next || typeof next !== 'object' || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Json;
  }
  cur[parts[parts.length - 1] as string] = value;
}

function coerce(name: string, raw: string, type: Coerce): unknown {
  if (type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw invalid(`${name}: expected a number, got "${raw}"`);
    return n;
  }
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw invalid(`${name}: expected true or false, got "${raw}"`);
  }
  return raw;
}

function invalid(message: string): LLMTraceError {
  return new LLMTraceError('invalid_config', `invalid configuration: ${message}`);
}

/** Read and parse a YAML config file into a plain object. */
export function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw invalid(`${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw invalid(`${path}: the top level must be a mapping`);
  return doc as Json;
}

/** Describe zod issues as `key.path: problem` lines. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * Resolve the configuration: defaults < YAML file < `LLMTRACE_*` env < CLI flags. Parsed once;
 * any problem throws an `invalid_config` error naming the key.
 *
 * @example const config = loadConfig({ configPath: 'llmtrace.yaml', env: process.env });
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? {};
  const path = options.configPath ?? env.LLMTRACE_CONFIG;
  const raw: Json = path ? readConfigFile(path) : {};

  const storage = (raw.storage && typeof raw.storage === 'object' ? raw.storage : {}) as Json;
  const envProfile = env.LLMTRACE_STORAGE_PROFILE;
  if (envProfile && envProfile !== storage.profile) {
    // A different profile from the environment: keep only the keys that profile understands.
    const allowed = new Set([...COMMON_STORAGE_KEYS, ...(PROFILE_KEYS[envProfile] ?? [])]);
    for (const k of Object.keys(storage)) if (!allowed.has(k)) delete storage[k];
  }
  raw.storage = storage;

  const profile = String(envProfile || storage.profile || 'sqlite');
  const profileKeys = new Set([...COMMON_STORAGE_KEYS, ...(PROFILE_KEYS[profile] ?? [])]);
  for (const [name, { path: key, type }] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    // A storage variable for another profile (say a database path while on postgres) does not apply.
    if (key.startsWith('storage.') && PROFILE_KEYS[profile] && !profileKeys.has(key.slice('storage.'.length)))
      continue;
    setPath(raw, key, coerce(name, v, type));
  }
  const cli = options.cli ?? {};
  if (cli.listen) raw.listen_addr = cli.listen;
  if (cli.upstream) raw.upstream_url = cli.upstream;
  if (cli.logLevel) setPath(raw, 'logging.level', cli.logLevel);
  if (cli.logFormat) setPath(raw, 'logging.format', cli.logFormat);

  const resolvedStorage = raw.storage as Json;
  if (resolvedStorage.profile === undefined) resolvedStorage.profile = 'sqlite';

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw invalid(describeIssues(parsed.error));
  return parsed.data;
}

const SECRET_KEYS = /secret|password|token|api_key|routing_key/i;

/** A copy of the config safe to print: secrets and URL passwords replaced by `***`. */
export function redactConfig(config: Config): unknown {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') {
      if (SECRET_KEYS.test(key)) return '***';
      return v.replace(/\/\/([^:/@\s]+):([^@/\s]+)@/g, '//$1:***@');
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(config, '');
}
