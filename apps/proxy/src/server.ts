import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from '@llmtrace/core';
import {
  createGateway,
  createPricing,
  estimatePromptTokens,
  type Gateway,
  policyEventToAlert,
  preloadTokenizer,
} from '@llmtrace/gateway';
import { createScanner } from '@llmtrace/security';
import { createRetentionJob, createSpanWriter, openStorage, type SpanWriter } from '@llmtrace/storage';
import { Hono } from 'hono';
import { createAppAuth } from './auth.js';
import type { Config, StorageConfig } from './config/index.js';
import { createOperator, type Operator } from './operator.js';
import { createPoliciesFromConfig, policiesConfigOf } from './policies.js';

/** The storage options `@llmtrace/storage` takes, from the app's config. */
export function storageOptions(s: StorageConfig): Parameters<typeof openStorage>[0] {
  switch (s.profile) {
    case 'sqlite':
      return { profile: 'sqlite', databasePath: s.database_path, autoMigrate: s.auto_migrate };
    case 'memory':
      return { profile: 'memory', autoMigrate: s.auto_migrate };
    case 'postgres':
      return {
        profile: 'postgres',
        postgresUrl: s.postgres_url,
        redisUrl: s.redis_url,
        autoMigrate: s.auto_migrate,
      };
    case 'clickhouse':
      return {
        profile: 'clickhouse',
        clickhouseUrl: s.clickhouse_url,
        redisUrl: s.redis_url,
        autoMigrate: s.auto_migrate,
      };
    case 'production':
      return {
        profile: 'production',
        clickhouseUrl: s.clickhouse_url,
        postgresUrl: s.postgres_url,
        redisUrl: s.redis_url,
        autoMigrate: s.auto_migrate,
      };
  }
}

/** A running proxy server. */
export interface RunningProxy {
  /** Base URL clients point at, e.g. `http://127.0.0.1:8080`. */
  url: string;
  gateway: Gateway;
  writer: SpanWriter;
  /** Stop accepting, finish in-flight requests, flush the writer, close everything. Idempotent. */
  close(): Promise<void>;
}

function splitListen(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '');
  return { host, port: Number(addr.slice(i + 1)) };
}

/**
 * Start the proxy from a resolved config: storage, writer, scanner, prices, gateway, HTTP server.
 *
 * @example
 * const proxy = await startProxy(loadConfig({ env: process.env }), logger);
 */
export async function startProxy(config: Config, logger: Logger): Promise<RunningProxy> {
  const storage = await openStorage({ ...storageOptions(config.storage), logger });
  // Load the current models' tokenizer (o200k) now so the first stream without usage does not pay
  // for it; older models' cl100k (about 40 MB) loads only if such a model needs an estimate.
  preloadTokenizer(['gpt-4o']);
  const w = config.storage.writer;
  const writer = createSpanWriter(storage.traces, {
    batchSize: w.batch_size,
    flushIntervalMs: w.flush_interval_ms,
    maxQueue: w.max_queue,
    spoolPath: w.spool_path || undefined,
    spoolMaxBytes: w.spool_max_bytes,
    logger,
  });
  const retention =
    config.storage.retention_days > 0
      ? createRetentionJob(storage.traces, { days: config.storage.retention_days, logger })
      : undefined;
  const scanner = config.security.enabled
    ? createScanner({
        thresholds: { flag: config.security.flag_threshold, block: config.security.block_threshold },
        learnedModel: config.security.learned_model,
        detectors: config.security.detectors,
        customRules: config.security.custom_rules,
        allowList: config.security.allow_list,
        logger,
      })
    : undefined;
  const pricing = createPricing({
    pricingFile: config.pricing.file,
    overrides: Object.fromEntries(
      Object.entries(config.pricing.models).map(([model, p]) => [
        model,
        { input: p.input, output: p.output, cachedInput: p.cached_input, reasoning: p.reasoning },
      ]),
    ),
  });
  // Policies and the operator surface refer to each other (budget alerts, spend in the API).
  let operator: Operator | undefined;
  const policySet = createPoliciesFromConfig(policiesConfigOf(config), {
    metadata: storage.metadata,
    counters: storage.counters,
    scanner,
    priceOf: (model) => pricing.price(model),
    estimatePromptTokens,
    redisUrl: 'redis_url' in config.storage ? config.storage.redis_url : undefined,
    logger,
    onEvent: (e) => {
      const alert = policyEventToAlert(e);
      if (alert) operator?.alerts?.emit(alert);
    },
  });
  const auth = createAppAuth(config, storage.metadata);
  operator = createOperator({
    config,
    traces: storage.traces,
    metadata: storage.metadata,
    writer,
    scanner,
    pricing,
    logger,
    authenticate: auth.authenticate,
    resolveTenant: auth.resolveTenant,
    keys: auth.keys,
    spend: async (tenantId) =>
      (await policySet.budgets?.spend(tenantId))?.map((w) => ({
        window: w.scope === 'agent' ? `${w.window}:${w.agentId}` : w.window,
        spentUsd: w.spentUsd,
        limitUsd: w.hardUsd,
      })) ?? [],
  });
  const gateway = createGateway({
    upstreamUrl: config.upstream_url,
    routes: config.routes.map((r) => ({
      prefix: r.prefix,
      provider: r.provider,
      upstream: r.upstream,
      stripPrefix: r.strip_prefix,
    })),
    sink: writer,
    scanner,
    pricing,
    tenantSecret: config.tenant_secret,
    maxRequestBodyBytes: config.max_request_body_bytes,
    injectStreamUsage: config.inject_stream_usage,
    upstream: {
      connectTimeoutMs: config.timeouts.connect_ms,
      headersTimeoutMs: config.timeouts.headers_ms,
      bodyTimeoutMs: config.timeouts.body_ms,
    },
    policies: policySet.policies,
    redactStoredPii: config.storage.redact_pii,
    onSpan: operator.onSpan,
    logger,
  });
  // Operator routes first; everything they do not claim is proxied.
  const root = new Hono();
  root.route('/', operator.routes);
  root.route('/', gateway.app);

  const { host, port } = splitListen(config.listen_addr);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: root.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  logger.info('llmtrace proxy listening', {
    url,
    upstream: config.upstream_url,
    storage: config.storage.profile,
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('shutting down: finishing in-flight requests');
      const stopped = new Promise<void>((r) => server.close(() => r()));
      const drained = await Promise.race([
        gateway.drain().then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), config.timeouts.shutdown_ms).unref()),
      ]);
      if (!drained)
        logger.warn('shutdown timeout: closing with requests still in flight', {
          inFlight: gateway.inFlight(),
        });
      if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
      await stopped;
      // Spans are recorded on the tick after a response ends; let those land before the final flush.
      await new Promise((r) => setImmediate(r));
      retention?.stop();
      await operator?.close();
      await policySet.close();
      await writer.close();
      await storage.close();
      await gateway.close();
      logger.info('shutdown complete', { spans: writer.stats() });
    })();
    return closing;
  };
  return { url, gateway, writer, close };
}
