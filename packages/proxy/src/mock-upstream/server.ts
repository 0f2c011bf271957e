import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockControls, MockHandler } from './types.js';
import { sendJson } from './util.js';

/** Options for {@link createMockUpstream}. */
export interface MockUpstreamOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Host to bind; default `127.0.0.1`. */
  host?: string;
  /** Default delay before response headers, ms (default 0). */
  delayMs?: number;
  /** Default delay between stream chunks, ms (default 0). */
  chunkDelayMs?: number;
  /** How many received requests to keep for inspection (default 100). */
  keepRequests?: number;
}

/** A request the fake upstream received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A running fake upstream. */
export interface MockUpstream {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  url: string;
  port: number;
  /** The most recent requests, oldest first. */
  received: ReceivedRequest[];
  close(): Promise<void>;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function controlsOf(req: IncomingMessage, options: MockUpstreamOptions): MockControls {
  const num = (name: string, dflt: number): number => {
    const v = Number(header(req.headers, name));
    return Number.isFinite(v) && v >= 0 ? v : dflt;
  };
  const status = Number(header(req.headers, 'x-mock-status'));
  const content = header(req.headers, 'x-mock-content');
  return {
    delayMs: num('x-mock-delay-ms', options.delayMs ?? 0),
    chunkDelayMs: num('x-mock-chunk-delay-ms', options.chunkDelayMs ?? 0),
    status: Number.isInteger(status) && status >= 400 && status < 600 ? status : undefined,
    content: content === undefined ? undefined : decodeURIComponent(content),
    noUsage: header(req.headers, 'x-mock-no-usage') === '1',
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_exceeded',
};

/**
 * Start a fake OpenAI-compatible LLM on a local port: realistic bodies, chunk shapes and `usage`,
 * with `x-mock-*` headers to add latency, force errors or fix the reply. Used by the test suite,
 * the benchmarks and `llmtrace-proxy mock-upstream`.
 *
 * @example
 * const up = await createMockUpstream({ delayMs: 20 });
 * // point the proxy's upstream_url at up.url
 * await up.close();
 */
export async function createMockUpstream(
  handlers: readonly MockHandler[],
  options: MockUpstreamOptions = {},
): Promise<MockUpstream> {
  const received: ReceivedRequest[] = [];
  const keep = options.keepRequests ?? 100;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void respond(req, res, Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent)
          sendJson(res, 500, { error: { message: 'mock failure', type: 'server_error', code: null } });
        else res.destroy();
      });
    });
  });

  async function respond(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    received.push({ method, path, headers: req.headers, body: raw });
    if (received.length > keep) received.shift();
    const controls = controlsOf(req, options);
    if (controls.status !== undefined) {
      await new Promise((r) => setTimeout(r, controls.delayMs));
      const type = ERROR_TYPES[controls.status] ?? 'server_error';
      sendJson(res, controls.status, {
        error: { message: `mock upstream error ${controls.status}`, type, param: null, code: type },
      });
      return;
    }
    const handler = handlers.find((h) => h.match(method, path));
    if (!handler) {
      sendJson(res, 404, {
        error: {
          message: `Unknown request URL: ${method} ${path}`,
          type: 'invalid_request_error',
          param: null,
          code: 'unknown_url',
        },
      });
      return;
    }
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        sendJson(res, 400, {
          error: {
            message: 'We could not parse the JSON body of your request.',
            type: 'invalid_request_error',
            param: null,
            code: null,
          },
        });
        return;
      }
    }
    await handler.handle(req, res, body, controls);
  }

  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
