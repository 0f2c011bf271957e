import type { IncomingMessage, ServerResponse } from 'node:http';
import { LLMTraceError, type Logger, type SpanSink, silentLogger, toErrorResponse } from '@llmtrace/core';
import { Hono } from 'hono';
import {
  type CallAnalyzer,
  createInlineAnalyzer,
  createSplitAnalyzer,
  createWorkerAnalyzer,
} from './pipeline/analysis.js';
import { toWebHeaders } from './pipeline/headers.js';
import { createInFlight } from './pipeline/in-flight.js';
import { nodeView, viewRequest } from './pipeline/incoming.js';
import type { RequestPolicy } from './pipeline/policy.js';
import { createProxyCall, type ProxyReply } from './pipeline/proxy.js';
import { teeResponseBody, teeToNodeResponse } from './pipeline/tee.js';
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
  /**
   * Build spans (token estimates, cost, security scan) on a worker thread running `script`, which
   * calls `serveCallAnalysis` with a scanner and prices made from `workerData`. The event loop
   * that serves traffic then only forwards bytes. Without it, spans are built on this thread, in
   * batches after the responses; that is also the fallback while the worker is down. With
   * `largerThan`, only calls carrying more text than that (bytes of request and response) go to
   * the worker, which starts at the first of them; the rest are built on this thread. Calls that
   * would take the worker's backlog over `maxPendingBytes` of text (default 32 MiB) are built on
   * this thread too.
   */
  analysisWorker?: {
    script: URL | string;
    workerData?: unknown;
    largerThan?: number;
    maxPendingBytes?: number;
  };
  logger?: Logger;
}

/** A gateway: a Hono app plus its lifecycle. */
export interface Gateway {
  /** Mount or serve this app (`serve({ fetch: gateway.app.fetch })`). */
  app: Hono;
  /**
   * The same proxy as a Node request listener (`http.createServer(gateway.handleNode)`): it
   * reads and writes the Node request and response directly, with no web `Request`, `Response`
   * or stream in between, which is what a proxy's own per-request cost is mostly made of.
   */
  handleNode(req: IncomingMessage, res: ServerResponse): void;
  /** Requests currently being proxied. */
  inFlight(): number;
  /** Resolve once no request is in flight and every finished call's span was handed on. */
  drain(): Promise<void>;
  /** Close upstream connections and the analysis worker. */
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
  const analysisDeps = {
    scanner: options.scanner,
    pricing: options.pricing,
    logger,
    redactStored: options.redactStoredPii ?? false,
  };
  const inline = createInlineAnalyzer(analysisDeps);
  const worker = options.analysisWorker;
  let analyzer: CallAnalyzer = inline;
  if (worker) {
    const onWorker = (): CallAnalyzer => {
      logger.info('span analysis worker starting', {
        for: worker.largerThan === undefined ? 'every call' : `calls over ${worker.largerThan} bytes`,
      });
      return createWorkerAnalyzer({
        script: worker.script,
        workerData: worker.workerData,
        maxPendingBytes: worker.maxPendingBytes,
        fallback: inline,
        logger,
      });
    };
    analyzer =
      worker.largerThan === undefined
        ? onWorker()
        : createSplitAnalyzer({ small: inline, large: onWorker, largerThan: worker.largerThan });
  }
  const call = createProxyCall(
    {
      upstream,
      route: createRouter(options.routes ?? [], options.upstreamUrl),
      sink: options.sink,
      tenantSecret: options.tenantSecret ?? 'llmtrace-default-tenant-secret',
      maxRequestBodyBytes: options.maxRequestBodyBytes ?? 10 * 1024 * 1024,
      captureLimitBytes: options.captureLimitBytes,
      injectStreamUsage: options.injectStreamUsage ?? false,
      policies: options.policies ?? [],
      analyzer,
      logger,
      onSpan: listeners,
    },
    inflight,
  );

  /**
   * Upstream response headers the server refuses to send (say, a control character in a value):
   * the upstream body is let go, the call is still recorded, and the client gets this error.
   */
  const unsendableHeaders = (reply: ProxyReply, err: unknown): LLMTraceError => {
    if (reply.tee) {
      reply.tee.upstream.destroy();
      reply.tee.options.onDone({
        outcome: 'error',
        error: err,
        truncated: false,
        bytes: 0,
        endTime: Date.now(),
      });
    }
    return new LLMTraceError('upstream_unreachable', 'upstream response headers could not be passed on', {
      cause: err,
    });
  };

  const logFailure = (err: unknown): void => {
    logger.error('request failed', { err: String(err), cause: String((err as Error).cause ?? '') });
  };

  const app = new Hono();
  app.onError((err, c) => {
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500) logFailure(err);
    return c.json(body, status as 500, headers ? { ...headers } : undefined);
  });
  app.all('*', async (c) => {
    const reply = await call(viewRequest(c));
    let headers: Headers;
    try {
      headers = toWebHeaders(reply.headers);
    } catch (err) {
      throw unsendableHeaders(reply, err);
    }
    if (reply.tee)
      return new Response(teeResponseBody(reply.tee.upstream, reply.tee.options), {
        status: reply.status,
        headers,
      });
    return new Response(reply.body, { status: reply.status, headers });
  });

  const writeError = (res: ServerResponse, err: unknown): void => {
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500) logFailure(err);
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const handleNode = (req: IncomingMessage, res: ServerResponse): void => {
    call(nodeView(req, res))
      .then(
        (reply) => {
          try {
            res.writeHead(reply.status, reply.headers);
          } catch (err) {
            writeError(res, unsendableHeaders(reply, err));
            return;
          }
          if (reply.tee) teeToNodeResponse(reply.tee.upstream, reply.tee.options, res);
          else res.end(reply.body ?? undefined);
        },
        (err: unknown) => writeError(res, err),
      )
      .catch((err: unknown) => {
        // Writing the answer itself failed: never let that reach the process.
        logFailure(err);
        res.destroy();
      });
  };

  return {
    app,
    handleNode,
    inFlight: () => inflight.count,
    drain: async () => {
      await inflight.idle();
      await analyzer.idle();
    },
    close: async () => {
      await analyzer.close();
      await upstream.close();
    },
  };
}
