/** Hop-by-hop headers (RFC 9110 §7.6.1) plus ones the HTTP client sets itself; never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** Request headers that belong to LLMTrace itself and are not sent upstream. */
const OWN_PREFIX = 'x-llmtrace-';

/**
 * Headers to send upstream: everything the client sent (Authorization, x-api-key,
 * anthropic-version, accept-encoding, …) except hop-by-hop and LLMTrace's own headers. Headers
 * named in the client's `Connection` header are hop-by-hop too.
 */
export function upstreamRequestHeaders(
  headers: Headers,
  bodyLength: number | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const connectionListed = new Set(
    (headers.get('connection') ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  headers.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || connectionListed.has(name) || name.startsWith(OWN_PREFIX)) return;
    if (name === 'content-length') return;
    out[name] = value;
  });
  if (bodyLength !== undefined) out['content-length'] = String(bodyLength);
  return out;
}

/**
 * Header names listed in a `Connection` header (hop-by-hop for that message). The usual values,
 * `keep-alive` and `close`, name no header that is not hop-by-hop already: nothing to build.
 */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined;
  return new Set(
    String(value)
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** {@link upstreamRequestHeaders} for a Node request's header object (no `Headers` built). */
export function upstreamRequestHeadersFromNode(
  headers: Record<string, string | string[] | undefined>,
  bodyLength: number | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const connectionListed = connectionTokens(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      name.startsWith(OWN_PREFIX) ||
      name === 'content-length'
    )
      continue;
    if (connectionListed?.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  }
  if (bodyLength !== undefined) out['content-length'] = String(bodyLength);
  return out;
}

/**
 * Response headers to pass to the client: everything the upstream sent except hop-by-hop, as a
 * plain record with lower-case names (what Node's `writeHead` takes).
 */
export function clientResponseHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = connectionTokens(raw.connection);
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionListed?.has(lower)) continue;
    const prev = out[lower];
    out[lower] = prev === undefined ? value : [...[prev].flat(), ...[value].flat()];
  }
  return out;
}

/** A header record as web `Headers` (repeated headers appended). */
export function toWebHeaders(headers: Record<string, string | string[]>): Headers {
  const out = new Headers();
  for (const name in headers) {
    const value = headers[name] as string | string[];
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else out.set(name, value);
  }
  return out;
}

/** First value of a header in a raw (Node-style) header record. */
export function headerValue(
  raw: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const v = raw[name];
  return Array.isArray(v) ? v[0] : v;
}
