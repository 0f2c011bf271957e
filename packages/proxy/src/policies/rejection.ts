import { LLMTraceError, type LLMTraceErrorCode } from '@llmtrace/core';

/**
 * A policy's refusal: an `LLMTraceError` whose response carries headers (`Retry-After`,
 * `x-ratelimit-*`); the gateway's one error handler sends them.
 */
export class PolicyRejection extends LLMTraceError {
  constructor(code: LLMTraceErrorCode, message: string, headers: Record<string, string> = {}) {
    super(code, message, { headers });
    this.name = 'PolicyRejection';
  }
}
