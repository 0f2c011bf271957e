import { type Logger, type SpanSink, silentLogger, toErrorResponse } from '@llmtrace/core';
import { Hono } from 'hono';
import type { RequestPolicy } from './pipeline/policy.js';
import { createInFlight, createProxyHandler } from './pipeline/proxy.js';
import type { CostModel, SpanListener, SpanScanner } from './pipeline/types.js';
import { createUpstreamClient, type UpstreamClientOptions } from './pipeline/upstream.js';
import { createRouter, type RouteRule } from './routing/index.js';

/** Options for {@link createGateway}. */
export interface GatewayOptions {
  /** Default upstream base URL, e.g. `https://api.openai.com`. */
  upstreamUrl: string;
  /** Extra routes (path prefix and/or `x-llmtrace-provider` header → upstream); first match wins. */
  routes?: readonly RouteRule[];
  /** Where finished spans go (usually a batched writer). Must never block or throw. */
  sink: SpanSink;
  /** Security scanner run on each finished call (off the request path). */
  scanner?: SpanScanner;
  /** Price table; without one, `costUsd` stays unset. */
  pricing?: CostModel;
  /** Secret for the keyed hash that turns an API key into a tenant id. */
  tenantSecret?: string;
  /** Largest request body accepted, bytes (default 10 MiB); larger gets 413. */
  maxRequestBodyBytes?: number;
  /** Largest response body kept for tracing, bytes (default 8 MiB); the client always gets all of it. */
  captureLimitBytes?: number;
  /** Ask OpenAI streams for usage and hide the extra chunk from clients that did not ask (default false). */
  injectStreamUsage?: boolean;
  /** Upstream pool and timeouts. */
  upstream?: UpstreamClientOptions;
  /** Checks run on every request before the upstream (auth, limits, budgets, enforcement), in order. */
  policies?: readonly RequestPolicy[];
  /** Store spans with PII and secrets replaced by typed placeholders (default false). */
  redactStoredPii?: boolean;
  /** Called with every finished span, after the sink. */
  onSpan?: SpanListener | SpanListener[];
  logger?: Logger;
}

/** A gateway: a Hono app plus its lifecycle. */
export interface Gateway {
  /** Mount or serve this app (`serve({ fetch: gateway.app.fetch })`). */
  app: Hono;
  /** Requests currently being proxied. */
  inFlight(): number;
  /** Resolve once no request is in flight. */
  drain(): Promise<void>;
  /** Close upstream connections. */
  close(): Promise<void>;
}

/**
 * Build the proxy as a Hono app: every method and path is forwarded to the upstream, understood
 * APIs are traced, and the proxy's own errors use the OpenAI error shape. It opens no sockets of
 * its own and reads no environment: the caller picks the sink, scanner and server.
 *
 * @example
 * const gw = createGateway({ upstreamUrl: 'https://api.openai.com', sink: writer });
 * serve({ fetch: gw.app.fetch, port: 8080 });
 */
export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger ?? silentLogger;
  const upstream = createUpstreamClient(options.upstream);
  const inflight = createInFlight();
  const listeners =
    options.onSpan === undefined ? [] : Array.isArray(options.onSpan) ? options.onSpan : [options.onSpan];
  const handler = createProxyHandler(
    {
      upstream,
      route: createRouter(options.routes ?? [], options.upstreamUrl),
      sink: options.sink,
      scanner: options.scanner,
      pricing: options.pricing,
      tenantSecret: options.tenantSecret ?? 'llmtrace-default-tenant-secret',
      maxRequestBodyBytes: options.maxRequestBodyBytes ?? 10 * 1024 * 1024,
      captureLimitBytes: options.captureLimitBytes,
      injectStreamUsage: options.injectStreamUsage ?? false,
      policies: options.policies ?? [],
      redactStored: options.redactStoredPii ?? false,
      logger,
      onSpan: listeners,
    },
    inflight,
  );

  const app = new Hono();
  app.onError((err, c) => {
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500)
      logger.error('request failed', { err: String(err), cause: String((err as Error).cause ?? '') });
    return c.json(body, status as 500, headers ? { ...headers } : undefined);
  });
  app.all('*', handler);

  return {
    app,
    inFlight: () => inflight.count,
    drain: () => inflight.idle(),
    close: () => upstream.close(),
  };
}
