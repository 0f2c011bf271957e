import type { Span } from '@llmtrace/core';
import { SPAN_COLUMNS } from '../shared/span-row.js';

/**
 * Spans as `JSONCompactEachRow` text, one JSON array per line, built in one `JSON.stringify` per
 * span. The JSON-valued columns (prompt, findings, tool calls, params, tags) are written as nested
 * JSON, not as JSON strings holding JSON: with `input_format_json_read_objects_as_strings` and
 * `input_format_json_read_arrays_as_strings` ClickHouse stores the nested value's text in the
 * `String` column as it is, so each value is encoded once instead of twice (and its quotes are
 * not escaped a second time). The embedded engine also parsed this faster than TabSeparated.
 */

/** Column order of {@link spanToJsonRow}: the shared span columns, then the finding types. */
export const ROW_COLUMNS: [string, ...string[]] = [...SPAN_COLUMNS, 'finding_types'];

/** Settings the insert needs so nested JSON lands in `String` columns as text. */
export const ROW_INSERT_SETTINGS = {
  input_format_json_read_objects_as_strings: 1,
  input_format_json_read_arrays_as_strings: 1,
} as const;

function findingTypes(s: Span): string[] {
  if (s.findings.length === 0) return [];
  return [...new Set(s.findings.map((f) => f.type))];
}

/** One span as one `JSONCompactEachRow` line (with its line break), values in {@link ROW_COLUMNS} order. */
export function spanToJsonRow(s: Span): string {
  // `undefined` inside an array is written as `null`, which the Nullable columns take as NULL.
  return `${JSON.stringify([
    s.traceId,
    s.spanId,
    s.parentSpanId,
    s.tenantId,
    s.agentId,
    s.sessionId,
    s.endUser,
    s.operation,
    s.provider,
    s.model,
    s.responseModel,
    s.method,
    s.path,
    s.startTime,
    s.endTime,
    s.durationMs,
    s.ttftMs,
    s.stream,
    s.statusCode,
    s.status,
    s.error,
    s.promptTokens,
    s.completionTokens,
    s.totalTokens,
    s.cachedTokens,
    s.reasoningTokens,
    s.usageSource,
    s.costUsd,
    s.securityScore,
    s.findings,
    s.prompt,
    s.response,
    s.toolCalls,
    s.finishReason,
    s.params,
    s.tags,
    findingTypes(s),
  ])}\n`;
}
