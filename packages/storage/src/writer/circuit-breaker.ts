/** Circuit breaker state. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Options for {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold?: number;
  /** How long the breaker stays open before one trial call (ms). Default 5000. */
  cooldownMs?: number;
  now?: () => number;
}

/** A consecutive-failure circuit breaker: closed → open → half-open (one trial) → closed/open. */
export interface CircuitBreaker {
  state(): BreakerState;
  /** Whether a call may be made now (moves open → half-open once the cool-down has passed). */
  allow(): boolean;
  success(): void;
  failure(): void;
}

/**
 * Create a circuit breaker. Written by hand: the few libraries for this wrap a function call with
 * timeouts and events, while the writer needs only the state machine around its own retry loop.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const cooldown = options.cooldownMs ?? 5000;
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  return {
    state: () => state,
    allow(): boolean {
      if (state === 'open' && now() - openedAt >= cooldown) state = 'half-open';
      return state !== 'open';
    },
    success(): void {
      state = 'closed';
      failures = 0;
    },
    failure(): void {
      failures += 1;
      if (state === 'half-open' || failures >= threshold) {
        state = 'open';
        openedAt = now();
      }
    },
  };
}
