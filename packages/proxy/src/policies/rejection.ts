import {
  LLMTraceError,
  type LLMTraceErrorCode,
  type Logger,
  silentLogger,
  toErrorResponse,
} from '@llmtrace/core';
import type { Hono } from 'hono';

/**
 * An `LLMTraceError` that carries response headers (`Retry-After`, `x-ratelimit-*`). The gateway's
 * error handler does not know about headers yet; {@link installPolicyErrorHeaders} makes it send them.
 */
export class PolicyRejection extends LLMTraceError {
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: LLMTraceErrorCode, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.name = 'PolicyRejection';
    this.headers = headers;
  }
}

/**
 * Replace the gateway app's error handler with one that behaves the same (OpenAI error shape,
 * status from the error table, 5xx logged without internals) and also sends the headers of a
 * {@link PolicyRejection}. Call once after `createGateway`.
 *
 * @example
 * const gw = createGateway({ ..., policies });
 * installPolicyErrorHeaders(gw.app, logger);
 */
export function installPolicyErrorHeaders(app: Hono, logger: Logger = silentLogger): void {
  app.onError((err, c) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500)
      logger.error('request failed', { err: String(err), cause: String((err as Error).cause ?? '') });
    const headers = err instanceof PolicyRejection ? { ...err.headers } : undefined;
    return c.json(body, status as 500, headers);
  });
}
