import type { ScanResult } from '@llmtrace/security';
import type { PolicyContext } from '../pipeline/policy.js';
import type { TenantPolicy } from './types.js';

/** What one policy learned about a request that a later one needs. */
export interface RequestState {
  /** Id of the proxy key that authenticated the request. */
  keyId?: string;
  role?: string;
  /** The tenant's overrides, once loaded. */
  tenantPolicy?: TenantPolicy;
  /** The input scan, done by the scan policy and acted on by the enforcement policy. */
  inputScan?: ScanResult;
  /** Estimated prompt tokens, computed once. */
  promptTokens?: number;
}

// Policies of one request share the same context object; a WeakMap keeps per-request state off it
// without widening the pipeline's interface, and frees it with the request.
const states = new WeakMap<PolicyContext, RequestState>();

/** The shared state of a request (created on first use). */
export function requestState(context: PolicyContext): RequestState {
  let s = states.get(context);
  if (!s) {
    s = {};
    states.set(context, s);
  }
  return s;
}
