export type { ErrorBody, LLMTraceErrorCode } from './errors.js';
export { ERROR_TABLE, LLMTraceError, toErrorResponse } from './errors.js';
export { newSpanId, newTraceId } from './ids.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export type {
  Finding,
  FindingLocation,
  Operation,
  PromptMessage,
  Severity,
  Span,
  SpanStatus,
  ToolCall,
  Trace,
  UsageSource,
} from './span.js';
export { SEVERITIES, severityRank } from './span.js';
export type {
  ApiKeyRecord,
  AuditEvent,
  CounterStore,
  HealthStatus,
  MetadataStore,
  SpanPage,
  SpanQuery,
  SpanSink,
  Stats,
  StatsBucket,
  StatsQuery,
  TenantRecord,
  TraceStore,
} from './store.js';
