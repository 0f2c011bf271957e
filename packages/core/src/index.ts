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
  CounterStore,
  HealthStatus,
  SpanPage,
  SpanSink,
  SpanQuery,
  Stats,
  StatsBucket,
  StatsQuery,
  TraceStore,
} from './store.js';
export type { ErrorBody, LLMTraceErrorCode } from './errors.js';
export { ERROR_TABLE, LLMTraceError, toErrorResponse } from './errors.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { newSpanId, newTraceId } from './ids.js';
