// The request pipeline.

// Operator surface, alerts, anomalies, ingest.
export * from './alerts/index.js';
export * from './anomaly/index.js';
export * from './api/index.js';
export type { Gateway, GatewayOptions } from './app.js';
export { createGateway } from './app.js';
export * from './ingest/index.js';
export * from './metrics/index.js';
// The fake upstream.
export type {
  MockControls,
  MockHandler,
  MockUpstream,
  MockUpstreamOptions,
  ReceivedRequest,
} from './mock-upstream/index.js';
export { createMockUpstream, mockHandlers } from './mock-upstream/index.js';
export * from './otel/index.js';
export type { CallAnalyzer, WorkerAnalyzerOptions } from './pipeline/analysis.js';
export { serveCallAnalysis } from './pipeline/analysis.js';
export type { BodyRewriter, PolicyContext, PolicyDecision, RequestPolicy } from './pipeline/policy.js';
export { redactSpan } from './pipeline/redact-span.js';
export type { EventRewriter } from './pipeline/tee.js';
export type { RequestIdentity } from './pipeline/tenant.js';
export { callerApiKey, resolveIdentity, tenantFromKey } from './pipeline/tenant.js';
export type { CostModel, ScanOutcome, SpanListener, SpanScanner } from './pipeline/types.js';
export type { UpstreamClientOptions } from './pipeline/upstream.js';
export * from './policies/index.js';
export * from './pricing/index.js';
export { findFormat, formats, isPassThroughOnly } from './providers/registry.js';
// API formats, usage, prices and routing.
export type {
  ParsedRequest,
  ParsedResponse,
  ProviderFormat,
  SseEvent,
  StreamParser,
  Usage,
} from './providers/types.js';
export * from './routing/index.js';
export * from './ui/index.js';
export { countTokens, estimatePromptTokens, estimateUsage, preloadTokenizer } from './usage/estimate.js';
