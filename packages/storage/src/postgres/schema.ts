import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
} from 'drizzle-orm/pg-core';

/**
 * Drizzle view of the PostgreSQL tables (the DDL lives in `migrations.ts`). Tables are unqualified:
 * the store sets `search_path` to its schema.
 */
export const spans = pgTable(
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
    startTime: bigint('start_time', { mode: 'number' }).notNull(),
    endTime: bigint('end_time', { mode: 'number' }).notNull(),
    durationMs: integer('duration_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    stream: boolean('stream').notNull(),
    statusCode: integer('status_code').notNull(),
    status: text('status').notNull(),
    error: text('error'),
    promptTokens: integer('prompt_tokens').notNull(),
    completionTokens: integer('completion_tokens').notNull(),
    totalTokens: integer('total_tokens').notNull(),
    cachedTokens: integer('cached_tokens'),
    reasoningTokens: integer('reasoning_tokens'),
    usageSource: text('usage_source').notNull(),
    costUsd: doublePrecision('cost_usd'),
    securityScore: doublePrecision('security_score').notNull(),
    findings: jsonb('findings').notNull(),
    prompt: jsonb('prompt').notNull(),
    response: text('response').notNull(),
    toolCalls: jsonb('tool_calls').notNull(),
    finishReason: text('finish_reason'),
    params: jsonb('params'),
    tags: jsonb('tags').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.spanId] })],
);

/** Tenants (metadata). */
export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  disabled: boolean('disabled').notNull(),
});

/** API keys, by keyed hash only. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  keyHash: text('key_hash').notNull(),
  role: text('role'),
  label: text('label'),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  revokedAt: bigint('revoked_at', { mode: 'number' }),
});

/** Per-tenant policy overrides. */
export const tenantPolicies = pgTable('tenant_policies', {
  tenantId: text('tenant_id').primaryKey(),
  policy: jsonb('policy').notNull(),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
});

/** Append-only audit log. */
export const auditEvents = pgTable('audit_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  tenantId: text('tenant_id').notNull(),
  at: bigint('at', { mode: 'number' }).notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  detail: jsonb('detail'),
});
