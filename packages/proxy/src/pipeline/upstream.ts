import { EventEmitter } from 'node:events';
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
  /** `http://host:port` of the upstream. */
  origin: string;
  /** Path and query to ask the upstream for, already normalised (see {@link upstreamTarget}). */
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  signal: CallAbort;
}

/**
 * Cancels one upstream call. undici takes an EventEmitter as well as an AbortSignal; this one costs
 * a fraction of an AbortController, whose EventTarget is one of the larger per-call costs of a
 * proxied request.
 *
 * @example
 * const abort = new CallAbort();
 * client.send({ ..., signal: abort });
 * abort.abort(); // the request (or its body) fails with undici's RequestAbortedError
 */
export class CallAbort extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

const bases = new Map<string, { origin: string; basePath: string }>();
// Paths and queries the WHATWG URL setters would leave exactly as they are: no characters they
// percent-encode or rewrite (`\\`, spaces, quotes...), and no `.` / `..` segments (also spelt
// `%2e`) that they resolve.
const PLAIN_PATH = /^(?:\/(?!(?:\.|%2e){1,2}(?:\/|$))[\w\-.~%!$&'()*+,;=:@]*)+$/i;
const PLAIN_QUERY = /^(?:\?[\w\-.~%!$&()*+,;=:@/?]+)?$/;

/**
 * Where to send a call: the upstream's origin, and its base path joined with the request's path
 * and query, normalised as the WHATWG URL parser does (dot segments resolved, unsafe characters
 * percent-encoded). Plain paths skip the parser; upstream bases are parsed once.
 *
 * @example
 * upstreamTarget('https://gw.example/openai/', '/v1/chat/completions', '?x=1')
 * // { origin: 'https://gw.example', path: '/openai/v1/chat/completions?x=1' }
 */
export function upstreamTarget(base: string, path: string, search: string): { origin: string; path: string } {
  let b = bases.get(base);
  if (!b) {
    const u = new URL(base);
    b = { origin: u.origin, basePath: u.pathname.endsWith('/') ? u.pathname.slice(0, -1) : u.pathname };
    if (bases.size >= 1000) bases.clear();
    bases.set(base, b);
  }
  const joined = b.basePath + path;
  if (PLAIN_PATH.test(joined) && PLAIN_QUERY.test(search)) return { origin: b.origin, path: joined + search };
  const u = new URL(b.origin);
  u.pathname = joined;
  u.search = search;
  return { origin: b.origin, path: u.pathname + u.search };
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
          origin: req.origin,
          path: req.path,
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
