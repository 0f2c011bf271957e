import { z } from 'zod';

const epochMs = z.coerce.number().int().nonnegative();
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `?tenant=` — only the global admin may use it; others are pinned to their tenant. */
export const tenantParam = z.object({ tenant: z.string().min(1).max(200).optional() });

/** Query of `GET /spans` and `GET /traces`: the store's filters plus cursor pagination. */
export const spanListQuery = tenantParam.extend({
  from: epochMs.optional().describe('epoch ms, inclusive'),
  to: epochMs.optional().describe('epoch ms, exclusive'),
  since: epochMs.optional().describe('live tail: spans that started at or after this epoch ms'),
  model: z.string().max(200).optional(),
  provider: z.string().max(100).optional(),
  operation: z.enum(['chat', 'completion', 'embedding', 'responses', 'messages', 'other']).optional(),
  agentId: z.string().max(200).optional(),
  sessionId: z.string().max(200).optional(),
  traceId: z.string().max(200).optional(),
  status: z.enum(['ok', 'error', 'cancelled', 'blocked']).optional(),
  hasError: bool.optional(),
  minSecurityScore: z.coerce.number().min(0).max(100).optional(),
  findingType: z.string().max(100).optional(),
  q: z.string().max(500).optional().describe('case-insensitive text search in prompt and response'),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2000).optional(),
});

/** Query of `GET /findings`. */
export const findingListQuery = tenantParam.extend({
  from: epochMs.optional(),
  to: epochMs.optional(),
  type: z.string().max(100).optional(),
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2000).optional(),
});

/** Query of `GET /findings/summary`. */
export const findingSummaryQuery = tenantParam.extend({
  from: epochMs.optional(),
  to: epochMs.optional(),
});

/** Query of `GET /stats`. */
export const statsQuery = tenantParam.extend({
  from: epochMs.optional(),
  to: epochMs.optional(),
  groupBy: z.enum(['model', 'day', 'agent']).optional(),
});

/** Query of `GET /anomalies` and `GET /alerts`. */
export const eventsQuery = tenantParam.extend({
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** Body of `POST /keys`. */
export const createKeyBody = z.object({
  role: z.enum(['admin', 'operator', 'viewer']),
  label: z.string().max(200).optional(),
  tenantId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('global admin only; others create keys in their own tenant'),
});

/** Body of `POST /tenants`. */
export const createTenantBody = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._-]+$/),
  name: z.string().min(1).max(200),
});

const finding = z.object({
  type: z.string(),
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']),
  confidence: z.number(),
  detector: z.string(),
  location: z
    .object({
      side: z.enum(['request', 'response']),
      messageIndex: z.number().int().optional(),
      start: z.number().int(),
      end: z.number().int(),
    })
    .optional(),
  excerpt: z.string().optional(),
  message: z.string(),
});

const span = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  tenantId: z.string(),
  agentId: z.string().optional(),
  operation: z.string(),
  provider: z.string(),
  model: z.string(),
  startTime: z.number(),
  endTime: z.number(),
  durationMs: z.number(),
  ttftMs: z.number().optional(),
  statusCode: z.number(),
  status: z.string(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  totalTokens: z.number(),
  costUsd: z.number().optional(),
  securityScore: z.number(),
  findings: z.array(finding),
  prompt: z.array(z.object({ role: z.string(), content: z.string() })),
  response: z.string(),
  toolCalls: z.array(z.object({ id: z.string().optional(), name: z.string(), arguments: z.string() })),
});

const bucket = z.object({
  key: z.string(),
  requests: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  totalTokens: z.number(),
  costUsd: z.number(),
  errors: z.number(),
  findings: z.number(),
});

const apiKey = z.object({
  id: z.string(),
  tenantId: z.string(),
  role: z.enum(['admin', 'operator', 'viewer']),
  label: z.string().optional(),
  createdAt: z.number(),
  revokedAt: z.number().optional(),
});

/** Response bodies, for the OpenAPI document. */
export const responses = {
  Error: z.object({ error: z.object({ message: z.string(), type: z.string(), code: z.string() }) }),
  Span: span,
  Finding: finding,
  SpanPage: z.object({ spans: z.array(span), nextCursor: z.string().optional() }),
  TracePage: z.object({
    traces: z.array(
      z.object({
        traceId: z.string(),
        startTime: z.number(),
        durationMs: z.number(),
        spanCount: z.number(),
        models: z.array(z.string()),
        totalTokens: z.number(),
        costUsd: z.number(),
        maxSecurityScore: z.number(),
        findings: z.number(),
        errors: z.number(),
      }),
    ),
    nextCursor: z.string().optional(),
  }),
  Trace: z.object({ traceId: z.string(), tenantId: z.string(), spans: z.array(span) }),
  FindingPage: z.object({
    findings: z.array(
      finding.extend({
        traceId: z.string(),
        spanId: z.string(),
        time: z.number(),
        model: z.string(),
        action: z.enum(['blocked', 'flagged']),
      }),
    ),
    nextCursor: z.string().optional(),
  }),
  FindingSummary: z.object({
    byType: z.record(z.string(), z.number()),
    bySeverity: z.record(z.string(), z.number()),
    byAction: z.object({ blocked: z.number(), flagged: z.number() }),
    spansScanned: z.number(),
    truncated: z.boolean(),
  }),
  Stats: z.object({
    total: bucket,
    groups: z.array(bucket),
    findingsByType: z.record(z.string(), z.number()),
  }),
  Spend: z.object({
    tenantId: z.string(),
    windows: z.array(
      z.object({
        window: z.string(),
        spentUsd: z.number(),
        limitUsd: z.number().optional(),
        resetsAt: z.number().optional(),
      }),
    ),
  }),
  Events: z.object({
    events: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        severity: z.string(),
        tenantId: z.string(),
        title: z.string(),
        time: z.number(),
      }),
    ),
  }),
  ApiKey: apiKey,
  ApiKeyList: z.object({ keys: z.array(apiKey) }),
  CreatedKey: z.object({ key: apiKey, secret: z.string().describe('shown once; store it now') }),
  Tenant: z.object({
    id: z.string(),
    name: z.string(),
    createdAt: z.number(),
    disabled: z.boolean().optional(),
  }),
  TenantList: z.object({
    tenants: z.array(
      z.object({ id: z.string(), name: z.string(), createdAt: z.number(), disabled: z.boolean().optional() }),
    ),
  }),
  Me: z.object({
    tenantId: z.string(),
    role: z.enum(['admin', 'operator', 'viewer']),
    keyId: z.string().optional(),
  }),
} as const;
