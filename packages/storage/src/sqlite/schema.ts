import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Drizzle view of the `spans` table. The DDL itself lives in versioned migrations
 * (`migrations.ts`); this mirrors it for typed queries. Column names keep the seed's
 * `trace_id`, `model_name`, `security_score`, `duration_ms`, `start_time`.
 */
export const spans = sqliteTable(
  'spans',
  {
    traceId: text('trace_id').notNull(),
    spanId: text('span_id').notNull(),
    parentSpanId: text('parent_span_id'),
    tenantId: text('tenant_id').notNull(),
    agentId: text('agent_id'),
    sessionId: text('session_id'),
    endUser: text('end_user'),
    operation: text('operation').notNull(),
    provider: text('provider').notNull(),
    modelName: text('model_name').notNull(),
    responseModel: text('response_model'),
    method: text('method'),
    path: text('path'),
    startTime: integer('start_time').notNull(),
    endTime: integer('end_time').notNull(),
    durationMs: integer('duration_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    stream: integer('stream').notNull(),
    statusCode: integer('status_code').notNull(),
    status: text('status').notNull(),
    error: text('error'),
    promptTokens: integer('prompt_tokens').notNull(),
    completionTokens: integer('completion_tokens').notNull(),
    totalTokens: integer('total_tokens').notNull(),
    cachedTokens: integer('cached_tokens'),
    reasoningTokens: integer('reasoning_tokens'),
    usageSource: text('usage_source').notNull(),
    costUsd: real('cost_usd'),
    securityScore: real('security_score').notNull(),
    findings: text('findings').notNull(),
    prompt: text('prompt').notNull(),
    response: text('response').notNull(),
    toolCalls: text('tool_calls').notNull(),
    finishReason: text('finish_reason'),
    params: text('params'),
    tags: text('tags').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.spanId] })],
);

/** Tenants (metadata). */
export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
  disabled: integer('disabled').notNull(),
});

/** API keys, by keyed hash only. */
export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  keyHash: text('key_hash').notNull(),
  role: text('role'),
  label: text('label'),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at'),
});

/** Per-tenant policy overrides (JSON text). */
export const tenantPolicies = sqliteTable('tenant_policies', {
  tenantId: text('tenant_id').primaryKey(),
  policy: text('policy').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Append-only audit log. */
export const auditEvents = sqliteTable('audit_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  tenantId: text('tenant_id').notNull(),
  at: integer('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  detail: text('detail'),
});
