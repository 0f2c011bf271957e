export {
  type BreakerState,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from './circuit-breaker.js';
export {
  createSpanWriter,
  type SpanWriter,
  type SpanWriterOptions,
  type SpanWriterStats,
} from './span-writer.js';
export { openSpool, type Spool, type SpoolOptions } from './spool.js';
