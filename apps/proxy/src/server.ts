import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from '@llmtrace/core';
import {
  createGateway,
  estimatePromptTokens,
  type Gateway,
  policyEventToAlert,
  preloadTokenizer,
} from '@llmtrace/gateway';
import { createRetentionJob, createSpanWriter, openStorage, type SpanWriter } from '@llmtrace/storage';
import { Hono } from 'hono';
import {
  type AnalysisWorkerData,
  analysisWorkerScript,
  pricingFromConfig,
  scannerFromConfig,
} from './analysis.js';
import { createAppAuth } from './auth.js';
import type { Config, StorageConfig } from './config/index.js';
import { startIdleCollector } from './idle-gc.js';
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
  // Spans are built on a worker thread when the config asks for it
  // and the built worker script is there: every call's, or those of large calls only.
  const { worker: allOnWorker, large_call_bytes: largeCallBytes } = config.analysis;
  const workerScript = allOnWorker || largeCallBytes > 0 ? analysisWorkerScript() : undefined;
  // Otherwise load the current models' tokenizer (o200k) here so the first stream without usage
  // does not pay for it; older models' cl100k (about 40 MB) loads only if a model needs it.
  if (!workerScript || !allOnWorker) preloadTokenizer(['gpt-4o']);
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
  const scanner = scannerFromConfig(config, logger);
  const pricing = pricingFromConfig(config);
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
    analysisWorker: workerScript
      ? {
          script: workerScript,
          workerData: { config } satisfies AnalysisWorkerData,
          largerThan: allOnWorker ? undefined : largeCallBytes,
        }
      : undefined,
    logger,
  });
  // Operator routes first; everything they do not claim is proxied. Proxied traffic skips the
  // router and the web Request/Response layer: the gateway reads and writes Node's objects.
  const root = new Hono();
  root.route('/', operator.routes);
  root.route('/', gateway.app);
  const viaRouter = getRequestListener(root.fetch);
  const claims = operator.claims;
  const idle = startIdleCollector(config.memory.idle_gc_ms, logger);
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    idle.touch();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (claims(q === -1 ? url : url.slice(0, q))) void viaRouter(req, res);
    else gateway.handleNode(req, res);
  };

  const { host, port } = splitListen(config.listen_addr);
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
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
      server.closeAllConnections();
      await stopped;
      // The gateway first: it finishes building the spans of calls that just ended (inline or on
      // the analysis worker) and hands them to the listeners and the writer, which close after it.
      await gateway.close();
      retention?.stop();
      idle.stop();
      await operator?.close();
      await policySet.close();
      await writer.close();
      await storage.close();
      logger.info('shutdown complete', { spans: writer.stats() });
    })();
    return closing;
  };
  return { url, gateway, writer, close };
}
