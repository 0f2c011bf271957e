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

// Policies of one request share the same context object; a symbol-keyed property keeps per-request
// state on it without widening the pipeline's interface, and goes with the request. (A WeakMap did
// the same at several times the cost per call: each entry is an ephemeron for the collector.)
const STATE = Symbol('llmtrace.policyState');
type WithState = PolicyContext & { [STATE]?: RequestState };

/** The shared state of a request (created on first use). */
export function requestState(context: PolicyContext): RequestState {
  const c = context as WithState;
  let s = c[STATE];
  if (!s) {
    s = {};
    c[STATE] = s;
  }
  return s;
}
