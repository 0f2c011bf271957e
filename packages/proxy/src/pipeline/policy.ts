import type { Finding, Span } from '@llmtrace/core';
import type { ParsedRequest, ProviderFormat } from '../providers/types.js';
import type { EventRewriter } from './tee.js';
import type { RequestIdentity } from './tenant.js';

/** What a policy sees of a request before it is forwarded. */
export interface PolicyContext {
  identity: RequestIdentity;
  method: string;
  path: string;
  headers: Headers;
  format?: ProviderFormat;
  /** The understood request, when the body parsed. */
  request?: ParsedRequest;
  /** The parsed JSON body; a policy may change it in place and say so with `bodyChanged`. */
  body?: unknown;
  /** The caller's upstream API key (for per-key limits); never store or log it. */
  apiKey?: string;
}

/** A policy's answer. Throw an `LLMTraceError` instead to reject (401, 403, 429, …). */
export interface PolicyDecision {
  /** Headers added to the client's response (rate-limit headers, `x-llmtrace-flagged`, …). */
  responseHeaders?: Record<string, string>;
  /** Headers set on the upstream request (e.g. a server-held upstream key). */
  upstreamHeaders?: Record<string, string>;
  /** The policy changed `context.body` (redaction, clamping): re-serialise it. */
  bodyChanged?: boolean;
  /** Findings of an input scan done here, merged into the span. */
  findings?: Finding[];
  /** Score of that scan (0–100). */
  score?: number;
  /** Rewrites the response stream (streaming output guard). */
  streamRewriter?: (request: ParsedRequest | undefined) => EventRewriter | undefined;
  /**
   * Rewrites a whole non-streaming body (output guard); `undefined` keeps it. Returning
   * `{ body, blocked: true }` also marks the span `blocked`.
   */
  bodyRewriter?: BodyRewriter;
  /** Called once with the finished span (settle a budget reservation, count tokens, …). */
  onFinish?(span: Span): void;
}

/** See {@link PolicyDecision.bodyRewriter}. */
export type BodyRewriter = (
  body: Buffer,
  contentType: string,
) => Buffer | { body: Buffer; blocked?: boolean } | undefined;

/**
 * A check run on every request after parsing and before the upstream: authentication, rate
 * limits, budgets, token caps, input enforcement. Policies run in order; the first to throw stops
 * the request, and the `onFinish` of the ones that already ran still see the span.
 */
export interface RequestPolicy {
  name: string;
  check(context: PolicyContext): PolicyDecision | undefined | Promise<PolicyDecision | undefined>;
}
