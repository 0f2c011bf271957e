import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { readBody, tooLarge } from './body.js';
import { upstreamRequestHeaders, upstreamRequestHeadersFromNode } from './headers.js';

/** What the pipeline reads of the client's request, whatever server runs the app. */
export interface IncomingView {
  method: string;
  pathname: string;
  /** Query string including `?`, or empty. */
  search: string;
  /** One header value (repeated headers joined with `, `). */
  header(name: string): string | undefined;
  /** Web `Headers` (built on first use). */
  headers(): Headers;
  /** Headers to forward upstream (hop-by-hop and LLMTrace's own removed). */
  forwardHeaders(bodyLength: number | undefined): Record<string, string>;
  /** The body, refusing more than `max` bytes with a 413. */
  body(max: number): Promise<Uint8Array | undefined>;
  /** Call `fn` if the client goes away before the response is complete; returns an unsubscribe. */
  onClientGone(fn: () => void): () => void;
  /** Cut the client's connection (an upstream failed mid-response); absent where the server has no such handle. */
  destroyClient?: (err: unknown) => void;
}

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

/**
 * A view of the request. Under `@hono/node-server` it reads the Node request directly: building
 * a web `Request` (headers object, body stream, abort signal) costs more than the rest of the
 * proxy's per-request work. Elsewhere (`app.request()` in tests, other runtimes) it uses the web
 * `Request`.
 */
export function viewRequest(c: Context): IncomingView {
  const env = c.env as NodeBindings | undefined;
  const incoming = env?.incoming;
  const outgoing = env?.outgoing;
  if (incoming && outgoing && typeof incoming.url === 'string' && !incoming.readableDidRead)
    return nodeView(incoming, outgoing);
  return webView(c.req.raw);
}

/** A view of a Node request, read directly (no web `Request` built). */
export function nodeView(incoming: IncomingMessage, outgoing: ServerResponse): IncomingView {
  const rawUrl = incoming.url ?? '/';
  const q = rawUrl.indexOf('?');
  let headers: Headers | undefined;
  return {
    method: incoming.method ?? 'GET',
    pathname: q === -1 ? rawUrl : rawUrl.slice(0, q),
    search: q === -1 ? '' : rawUrl.slice(q),
    header(name) {
      const v = incoming.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    headers() {
      if (!headers) {
        headers = new Headers();
        for (const [k, v] of Object.entries(incoming.headers)) {
          if (v === undefined) continue;
          if (Array.isArray(v)) for (const x of v) headers.append(k, x);
          else headers.set(k, v);
        }
      }
      return headers;
    },
    forwardHeaders: (len) => upstreamRequestHeadersFromNode(incoming.headers, len),
    async body(max) {
      if (incoming.method === 'GET' || incoming.method === 'HEAD') return undefined;
      const declared = Number(incoming.headers['content-length']);
      if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
      return readNodeBody(incoming, max);
    },
    onClientGone(fn) {
      const onClose = (): void => {
        if (!outgoing.writableFinished) fn();
      };
      outgoing.once('close', onClose);
      return () => outgoing.off('close', onClose);
    },
    // Destroying the socket (not erroring the body stream) keeps the server from appending an
    // error text to a response whose headers are already sent.
    destroyClient: () => outgoing.destroy(),
  };
}

/**
 * Read a Node request body whole, failing past `max` bytes (the request is then destroyed). Event
 * listeners rather than `for await`: the async iterator costs a generator and a promise per chunk.
 */
function readNodeBody(incoming: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const stop = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > max) {
        stop();
        incoming.destroy();
        reject(tooLarge(max));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      if (total === 0) resolve(undefined);
      else resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, total));
    };
    const onError = (err: Error): void => {
      stop();
      reject(err);
    };
    // Closed before its end: the client went away mid-body.
    const onClose = (): void => {
      stop();
      reject(Object.assign(new Error('request body ended early'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    // Listeners attached to a stream that is already over would wait forever.
    if (incoming.readableEnded) {
      resolve(undefined);
      return;
    }
    if (incoming.destroyed) {
      onClose();
      return;
    }
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

function webView(req: Request): IncomingView {
  const url = new URL(req.url);
  return {
    method: req.method,
    pathname: url.pathname,
    search: url.search,
    header: (name) => req.headers.get(name) ?? undefined,
    headers: () => req.headers,
    forwardHeaders: (len) => upstreamRequestHeaders(req.headers, len),
    body: (max) => readBody(req, max),
    onClientGone(fn) {
      const onAbort = (): void => fn();
      req.signal.addEventListener('abort', onAbort, { once: true });
      return () => req.signal.removeEventListener('abort', onAbort);
    },
  };
}
