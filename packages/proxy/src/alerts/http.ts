import type { FetchLike } from './types.js';

/**
 * A failed delivery. `retryable` is false for answers that will not change on retry (most 4xx);
 * `retryAfterMs` carries a receiver's `Retry-After` hint.
 */
export class AlertDeliveryError extends Error {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    options: { status?: number; retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'AlertDeliveryError';
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Options shared by the HTTP channels. */
export interface HttpPostOptions {
  fetch?: FetchLike;
  /** Per-attempt timeout. Default 10 000 ms. */
  timeoutMs?: number;
}

/** Default per-attempt timeout for channel deliveries. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * POST a body and throw an {@link AlertDeliveryError} unless the answer is 2xx. Network errors,
 * timeouts, 408, 429 and 5xx are retryable; other statuses are not. The error message names the
 * channel and the status only: receiver URLs (which often embed a token) never reach logs.
 */
export async function postForDelivery(
  channel: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  options: HttpPostOptions,
): Promise<void> {
  const doFetch: FetchLike = options.fetch ?? ((u, init) => fetch(u, init));
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new AlertDeliveryError(`${channel}: ${timedOut ? 'timed out' : 'network error'}`, {
      retryable: true,
      cause: err,
    });
  }
  // Drain the body so the connection can be reused; receivers' answers are not needed.
  await res.arrayBuffer().catch(() => undefined);
  if (res.ok) return;
  const status = res.status;
  const retryable = status === 408 || status === 429 || status >= 500;
  throw new AlertDeliveryError(`${channel}: receiver answered ${status}`, {
    status,
    retryable,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  });
}
