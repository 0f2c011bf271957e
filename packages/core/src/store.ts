import type { Operation, Span, SpanStatus, Trace } from './span.js';

/**
 * Filters for {@link TraceStore.querySpans}. `tenantId` is always required: no query can cross
 * tenants. Times are epoch milliseconds, `from` inclusive, `to` exclusive.
 */
export interface SpanQuery {
  tenantId: string;
  from?: number;
  to?: number;
  model?: string;
  provider?: string;
  operation?: Operation;
  agentId?: string;
  sessionId?: string;
  traceId?: string;
  /** Spans with `securityScore >= minSecurityScore`. */
  minSecurityScore?: number;
  /** Spans having at least one finding of this type. */
  findingType?: string;
  status?: SpanStatus;
  /** `true`: only spans with an error; `false`: only spans without. */
  hasError?: boolean;
  /** Case-insensitive substring match on prompt and response, where the backend supports it. */
  text?: string;
  /** Page size; adapters cap it (default 50, max 1000). */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

/** One page of spans, newest first (startTime desc, spanId desc). */
export interface SpanPage {
  spans: Span[];
  /** Present when more spans match; pass back as `cursor`. */
  nextCursor?: string;
}

/** Aggregation request for {@link TraceStore.stats}. */
export interface StatsQuery {
  tenantId: string;
  from?: number;
  to?: number;
  groupBy?: 'model' | 'day' | 'agent';
}

/** Totals for a group (or overall). */
export interface StatsBucket {
  key: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: number;
  errors: number;
  findings: number;
}

/** Result of {@link TraceStore.stats}. */
export interface Stats {
  total: StatsBucket;
  groups: StatsBucket[];
  findingsByType: Record<string, number>;
}

/** Health of a component. */
export interface HealthStatus {
  ok: boolean;
  detail?: string;
}

/**
 * Where spans live. One contract, many adapters (memory, sqlite, postgres, clickhouse, yours).
 * Every method is async; adapters wrap driver errors once, with their name in the message.
 *
 * @example
 * const store: TraceStore = createSqliteStore({ path: './llmtrace.db' });
 * await store.migrate();
 * await store.insertSpans([span]);
 */
export interface TraceStore {
  /** Adapter name, e.g. `sqlite`. */
  readonly name: string;
  /** Create or upgrade the schema (idempotent). */
  migrate(): Promise<void>;
  /**
   * Insert spans. A span whose tenant and spanId are already stored, or came earlier in the same
   * batch, is skipped: a retried batch stores nothing twice. Resolves with how many spans were
   * stored, so that the writer can count the skipped ones; an adapter that cannot tell resolves
   * with nothing.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: adapters written against `Promise<void>` still fit
  insertSpans(spans: readonly Span[]): Promise<number | void>;
  /** A trace with its spans, or `undefined`. Scoped to the tenant. */
  getTrace(tenantId: string, traceId: string): Promise<Trace | undefined>;
  /** Filtered, cursor-paginated spans, newest first; pagination is done by the database. */
  querySpans(query: SpanQuery): Promise<SpanPage>;
  /** Aggregates for a tenant. */
  stats(query: StatsQuery): Promise<Stats>;
  /** Delete spans that started before `before` (epoch ms); returns how many were deleted. */
  deleteBefore(before: number, tenantId?: string): Promise<number>;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}

/** Shared counters used by rate limits and budgets; Redis-backed so replicas share one limit. */
export interface CounterStore {
  /** Add `delta` to `key` (created at 0) and return the new value; the key expires after `ttlMs`. */
  incrBy(key: string, delta: number, ttlMs: number): Promise<number>;
  get(key: string): Promise<number>;
  /**
   * Add `delta` only if the result stays `<= limit`; returns whether it was applied and the value
   * after the call. Atomic across replicas.
   */
  incrIfBelow(
    key: string,
    delta: number,
    limit: number,
    ttlMs: number,
  ): Promise<{ ok: boolean; value: number }>;
  close(): Promise<void>;
}

/**
 * Where the proxy hands finished spans. `record` must return at once and never throw: the
 * implementation (a batched writer) queues and persists in the background.
 */
export interface SpanSink {
  record(span: Span): void;
}

/** A tenant known to the metadata store. */
export interface TenantRecord {
  id: string;
  name: string;
  /** Epoch ms. */
  createdAt: number;
  disabled?: boolean;
}

/** An API key, stored only as a keyed hash (the raw key is never stored). */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  /** Hex keyed hash of the raw key; look-ups go by this hash. */
  keyHash: string;
  /** What the key may do in the operator API: `admin` ⊃ `operator` ⊃ `viewer`. */
  role?: 'admin' | 'operator' | 'viewer';
  label?: string;
  createdAt: number;
  revokedAt?: number;
}

/** Something an operator or the proxy did that must be traceable later. */
export interface AuditEvent {
  tenantId: string;
  /** Epoch ms. */
  at: number;
  /** Who did it: a key id, `system`, an operator name. */
  actor: string;
  /** Dotted action name, e.g. `api_key.created`, `policy.updated`. */
  action: string;
  detail?: Record<string, unknown>;
}

/**
 * Tenants, API key hashes, per-tenant policy overrides and audit events. SQLite and PostgreSQL
 * adapters share the contract; the memory one is for tests and single-process runs.
 */
export interface MetadataStore {
  migrate(): Promise<void>;
  upsertTenant(tenant: TenantRecord): Promise<void>;
  getTenant(id: string): Promise<TenantRecord | undefined>;
  listTenants(): Promise<TenantRecord[]>;
  /** Insert or replace a key record (by `id`). */
  putApiKey(key: ApiKeyRecord): Promise<void>;
  /** A tenant's keys, revoked ones included, newest first. */
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  /** The non-revoked key with this hash, or `undefined`. */
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  /** Mark a key revoked; returns whether a key was revoked. */
  revokeApiKey(id: string, at?: number): Promise<boolean>;
  /** Replace a tenant's policy overrides (a JSON object; shape owned by the proxy). */
  setPolicy(tenantId: string, policy: Record<string, unknown>): Promise<void>;
  getPolicy(tenantId: string): Promise<Record<string, unknown> | undefined>;
  appendAudit(event: AuditEvent): Promise<void>;
  /** Newest first; `before` (epoch ms, exclusive) pages back in time. */
  listAudit(tenantId: string, options?: { limit?: number; before?: number }): Promise<AuditEvent[]>;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}
