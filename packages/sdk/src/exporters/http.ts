import type { Span } from '@llmtrace/core';
import { type BatchExporter, type BatchOptions, createBatchExporter } from './batch-queue.js';

/** Options for {@link createHttpExporter}. */
export interface HttpExporterOptions extends BatchOptions {
  /** Base URL of a running LLMTrace (`http://localhost:8080`) or the full ingest URL ending in `/spans`. */
  endpoint: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Sent as `X-LLMTrace-Tenant-ID`. */
  tenantId?: string;
  /** Per-request timeout, ms (default 10 000). */
  timeoutMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** `fetch` to use (default the global one). */
  fetch?: typeof fetch;
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`ingest endpoint answered ${status}`);
  }
}

/** The ingest URL for an endpoint: `<base>/api/v1/spans` unless it already ends in `/spans`. */
export function ingestUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/spans') ? base : `${base}/api/v1/spans`;
}

/**
 * Post spans to a running LLMTrace's ingest endpoint (`POST /api/v1/spans`), batched, retried on
 * network errors, 408, 429 and 5xx (other 4xx are dropped: a retry would get the same answer),
 * never blocking the caller, flushed on exit.
 *
 * @example
 * const exporter = createHttpExporter({ endpoint: 'http://localhost:8080', apiKey: process.env.LLMTRACE_KEY });
 */
export function createHttpExporter(options: HttpExporterOptions): BatchExporter {
  const url = ingestUrl(options.endpoint);
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  if (options.tenantId) headers['x-llmtrace-tenant-id'] = options.tenantId;
  const timeoutMs = options.timeoutMs ?? 10_000;

  return createBatchExporter(
    async (batch: Span[]) => {
      const res = await doFetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ spans: batch }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drain the body so the connection can be reused.
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new HttpStatusError(res.status);
    },
    {
      ...options,
      name: 'http',
      isRetryable: (err) =>
        !(err instanceof HttpStatusError) || err.status === 408 || err.status === 429 || err.status >= 500,
    },
  );
}
