import { LLMTraceError } from '@llmtrace/core';
import { Agent, type Dispatcher } from 'undici';

/** Options for the upstream connection pool. */
export interface UpstreamClientOptions {
  /** Time to wait for the upstream's response headers, ms (default 120 000). */
  headersTimeoutMs?: number;
  /** Longest silence allowed while a body streams, ms (default 300 000). */
  bodyTimeoutMs?: number;
  /** TCP/TLS connect timeout, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Keep-alive sockets per upstream origin (default 256). */
  connections?: number;
}

/** A keep-alive pool to every upstream origin. */
export interface UpstreamClient {
  send(request: UpstreamRequest): Promise<Dispatcher.ResponseData>;
  close(): Promise<void>;
}

export interface UpstreamRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  signal: AbortSignal;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** Map a transport failure onto the proxy's 502/504, keeping internals out of the message. */
export function upstreamError(err: unknown): LLMTraceError {
  const code = (err as { code?: string } | null)?.code ?? '';
  if (TIMEOUT_CODES.has(code))
    return new LLMTraceError('upstream_timeout', 'upstream did not respond in time', { cause: err });
  return new LLMTraceError('upstream_unreachable', `upstream unreachable${code ? ` (${code})` : ''}`, {
    cause: err,
  });
}

/** Create the pool; one per gateway. */
export function createUpstreamClient(options: UpstreamClientOptions = {}): UpstreamClient {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: options.connections ?? 256,
    headersTimeout: options.headersTimeoutMs ?? 120_000,
    bodyTimeout: options.bodyTimeoutMs ?? 300_000,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
  });
  return {
    async send(req) {
      try {
        return await agent.request({
          origin: req.url.origin,
          path: req.url.pathname + req.url.search,
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body && req.body.length > 0 ? req.body : undefined,
          signal: req.signal,
        });
      } catch (err) {
        if (req.signal.aborted) throw err;
        throw upstreamError(err);
      }
    },
    close: () => agent.close(),
  };
}
