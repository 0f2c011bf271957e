export { GENAI_DURATION_BUCKETS, GENAI_TOKEN_BUCKETS, GENAI_TTFT_BUCKETS } from './buckets.js';
export type {
  AlertDeliveryObservation,
  BreakerStates,
  GatewayMetrics,
  MetricsOptions,
  WriterStatsSnapshot,
} from './gateway-metrics.js';
export { createMetrics } from './gateway-metrics.js';
export type { HealthCheck, HealthDeps } from './health.js';
export { createHealthRoutes } from './health.js';
