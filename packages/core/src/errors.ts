/** Every error code LLMTrace itself can answer with. */
export type LLMTraceErrorCode =
  | 'invalid_request'
  | 'invalid_config'
  | 'unauthorized'
  | 'forbidden'
  | 'content_policy_violation'
  | 'not_found'
  | 'payload_too_large'
  | 'rate_limit_exceeded'
  | 'budget_exceeded'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'storage_error'
  | 'internal_error';

/** The one table mapping error codes to HTTP status and OpenAI error `type`. */
export const ERROR_TABLE: Readonly<Record<LLMTraceErrorCode, { status: number; type: string }>> = {
  invalid_request: { status: 400, type: 'invalid_request_error' },
  invalid_config: { status: 500, type: 'server_error' },
  unauthorized: { status: 401, type: 'authentication_error' },
  forbidden: { status: 403, type: 'permission_error' },
  content_policy_violation: { status: 403, type: 'content_policy_violation' },
  not_found: { status: 404, type: 'invalid_request_error' },
  payload_too_large: { status: 413, type: 'invalid_request_error' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  budget_exceeded: { status: 429, type: 'insufficient_quota' },
  upstream_unreachable: { status: 502, type: 'upstream_error' },
  upstream_timeout: { status: 504, type: 'upstream_error' },
  storage_error: { status: 500, type: 'server_error' },
  internal_error: { status: 500, type: 'server_error' },
};

/** The public message used for 5xx bodies: internal details never reach clients. */
const PUBLIC_5XX: Partial<Record<LLMTraceErrorCode, string>> = {
  invalid_config: 'LLMTrace is misconfigured',
  storage_error: 'LLMTrace storage error',
  internal_error: 'LLMTrace internal error',
};

/**
 * The one error class. Adapters and the pipeline throw it with a `code`; the HTTP layer turns it
 * into an OpenAI-shaped body with the status from {@link ERROR_TABLE}.
 *
 * @example throw new LLMTraceError('payload_too_large', 'request body exceeds 10485760 bytes')
 */
export class LLMTraceError extends Error {
  readonly code: LLMTraceErrorCode;
  /** Response headers that go with this error (`Retry-After`, `x-ratelimit-*`, …). */
  readonly headers?: Readonly<Record<string, string>>;
  constructor(
    code: LLMTraceErrorCode,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LLMTraceError';
    this.code = code;
    if (options?.headers) this.headers = options.headers;
  }

  /** HTTP status for this error. */
  get status(): number {
    return ERROR_TABLE[this.code].status;
  }
}

/** OpenAI-style error body: `{"error":{"message","type","code"}}`. */
export interface ErrorBody {
  error: { message: string; type: string; code: string };
}

/**
 * Turn any thrown value into a status and an OpenAI-shaped body. Unknown errors become a generic
 * 500; 5xx messages are replaced by a fixed public text unless they are upstream errors (whose
 * message the proxy wrote itself and carries no internals).
 */
export function toErrorResponse(err: unknown): {
  status: number;
  body: ErrorBody;
  headers?: Readonly<Record<string, string>>;
} {
  const e = err instanceof LLMTraceError ? err : new LLMTraceError('internal_error', 'internal error');
  const { status, type } = ERROR_TABLE[e.code];
  const message = PUBLIC_5XX[e.code] ?? e.message;
  return { status, body: { error: { message, type, code: e.code } }, headers: e.headers };
}
