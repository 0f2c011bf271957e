/** One routing rule: requests matching `prefix` and/or `provider` go to `upstream`. */
export interface RouteRule {
  /** Path prefix, e.g. `/v1/messages` or `/openai`; matched on whole segments. */
  prefix?: string;
  /** Matches the `x-llmtrace-provider` request header (case-insensitive). */
  provider?: string;
  /** Upstream base URL, e.g. `https://api.anthropic.com` (may carry a base path). */
  upstream: string;
  /** Remove `prefix` from the forwarded path (default false). */
  stripPrefix?: boolean;
}

/** Where one request goes. */
export interface RouteResult {
  upstream: string;
  /** Path to forward (prefix stripped when the rule says so), query string kept. */
  path: string;
  /** The rule's provider, or the `x-llmtrace-provider` header when no rule named one. */
  provider?: string;
}

/** Routes a request to an upstream. */
export type Router = (method: string, path: string, headers: Pick<Headers, 'get'>) => RouteResult;

/** Header that picks a provider route. */
export const PROVIDER_HEADER = 'x-llmtrace-provider';

function normalisePrefix(prefix: string): string {
  const withSlash = prefix.startsWith('/') ? prefix : `/${prefix}`;
  // `/openai/*` and `/openai/` both mean the `/openai` segment.
  return withSlash.replace(/\/\*$/, '').replace(/\/+$/, '') || '/';
}

function underPrefix(pathname: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/**
 * Build a router: the first rule whose prefix (whole path segments) and provider header both
 * match wins; otherwise `defaultUpstream` with the path unchanged. A rule with neither `prefix`
 * nor `provider` matches everything.
 *
 * @example
 * const route = createRouter([
 *   { prefix: '/v1/messages', upstream: 'https://api.anthropic.com' },
 *   { prefix: '/openai', upstream: 'http://vllm:8000', stripPrefix: true },
 * ], 'https://api.openai.com');
 * route('POST', '/openai/v1/chat/completions', headers) // { upstream: 'http://vllm:8000', path: '/v1/chat/completions' }
 */
export function createRouter(rules: readonly RouteRule[], defaultUpstream: string): Router {
  const compiled = rules.map((r) => ({
    ...r,
    prefix: r.prefix === undefined ? undefined : normalisePrefix(r.prefix),
    provider: r.provider?.toLowerCase(),
  }));
  return (_method, path, headers) => {
    const q = path.indexOf('?');
    const pathname = q === -1 ? path : path.slice(0, q);
    const query = q === -1 ? '' : path.slice(q);
    const headerProvider = headers.get(PROVIDER_HEADER)?.trim().toLowerCase() || undefined;
    for (const rule of compiled) {
      if (rule.provider !== undefined && rule.provider !== headerProvider) continue;
      if (rule.prefix !== undefined && !underPrefix(pathname, rule.prefix)) continue;
      let forwarded = pathname;
      if (rule.stripPrefix && rule.prefix !== undefined && rule.prefix !== '/') {
        forwarded = pathname.slice(rule.prefix.length) || '/';
      }
      return { upstream: rule.upstream, path: forwarded + query, provider: rule.provider ?? headerProvider };
    }
    return { upstream: defaultUpstream, path, provider: headerProvider };
  };
}
