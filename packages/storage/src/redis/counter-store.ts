import type { CounterStore, Logger } from '@llmtrace/core';
import { silentLogger } from '@llmtrace/core';
import { Redis } from 'ioredis';
import { guard } from '../shared/errors.js';

/** Options for {@link createRedisCounterStore}. */
export interface RedisCounterStoreOptions {
  /** `redis://host:6379/0`. Ignored when `client` is given. */
  url?: string;
  /** An existing client to share (its owner closes it). */
  client?: Redis;
  /** Prefix for every key, so several deployments can share one Redis. Default `llmtrace:`. */
  keyPrefix?: string;
  /**
   * Longest wait for one Redis call, ms (default 500); longer fails the call like an error, so a
   * Redis that stops answering is seen as down instead of holding callers up.
   */
  timeoutMs?: number;
  logger?: Logger;
}

/** `op`, or a rejection once `ms` have passed without an answer. */
function withTimeout<T>(op: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([op, timeout]).finally(() => clearTimeout(timer));
}

// Both scripts set the expiry only when the key is created: a fixed window that starts with the
// first increment. Values are floats (budgets count dollars).
const INCR = `
local v = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;
const INCR_IF_BELOW = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local nxt = cur + tonumber(ARGV[1])
if nxt > tonumber(ARGV[2]) then return {0, tostring(cur)} end
local v = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, v}`;

/**
 * Shared counters in Redis (ioredis), so every proxy replica enforces one limit. Check-and-add is
 * one Lua script, atomic across replicas.
 *
 * @example
 * const counters = createRedisCounterStore({ url: 'redis://127.0.0.1:6379' });
 * const { ok } = await counters.incrIfBelow('rpm:acme', 1, 600, 60_000);
 */
export function createRedisCounterStore(options: RedisCounterStoreOptions): CounterStore {
  const logger = options.logger ?? silentLogger;
  const owned = options.client === undefined;
  const redis =
    options.client ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
    });
  if (owned)
    redis.on('error', (err: Error) => logger.warn('redis: connection error', { error: err.message }));
  const prefix = options.keyPrefix ?? 'llmtrace:';
  const k = (key: string): string => prefix + key;
  const timeoutMs = options.timeoutMs ?? 500;
  const call = <T>(op: Promise<T>): Promise<T> => withTimeout(op, timeoutMs);
  const ttl = (ms: number): number => Math.max(1, Math.ceil(ms));
  return {
    incrBy: (key, delta, ttlMs) =>
      guard('redis', 'incrBy', async () =>
        Number(await call(redis.eval(INCR, 1, k(key), String(delta), String(ttl(ttlMs))))),
      ),
    get: (key) =>
      guard('redis', 'get', async () => {
        const v = await call(redis.get(k(key)));
        return v === null ? 0 : Number(v);
      }),
    incrIfBelow: (key, delta, limit, ttlMs) =>
      guard('redis', 'incrIfBelow', async () => {
        const [ok, value] = (await call(
          redis.eval(INCR_IF_BELOW, 1, k(key), String(delta), String(limit), String(ttl(ttlMs))),
        )) as [number, string];
        return { ok: ok === 1, value: Number(value) };
      }),
    close: async (): Promise<void> => {
      if (owned && redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
    },
  };
}
