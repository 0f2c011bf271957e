import { z } from 'zod';

// Bounds keep one hostile request from costing the proxy much memory or CPU; they are generous for
// real spans (a 1 MiB response text, 2 000 messages in a prompt).
const MAX_ID = 256;
const MAX_TEXT = 1024 * 1024;
const MAX_SHORT = 1024;

const hex = (len: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${len}}$`), `must be ${len} lowercase hex characters`);
const shortText = z.string().max(MAX_SHORT);
const count = z.number().int().min(0).max(1e12);
const epochMs = z.number().int().min(0).max(1e15);

/** One finding as an SDK may report it. */
export const findingSchema = z.object({
  type: z.string().min(1).max(128),
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']),
  confidence: z.number().min(0).max(1).default(1),
  detector: z.string().min(1).max(128).default('sdk'),
  location: z
    .object({
      side: z.enum(['request', 'response']),
      messageIndex: z.number().int().min(0).optional(),
      start: z.number().int().min(0),
      end: z.number().int().min(0),
    })
    .optional(),
  excerpt: z.string().max(MAX_SHORT).optional(),
  message: z.string().max(MAX_SHORT).default(''),
});

const messageSchema = z.object({
  role: z.string().min(1).max(64),
  content: z.string().max(MAX_TEXT),
  name: z.string().max(MAX_ID).optional(),
  toolCallId: z.string().max(MAX_ID).optional(),
});

const toolCallSchema = z.object({
  id: z.string().max(MAX_ID).optional(),
  name: z.string().min(1).max(MAX_ID),
  arguments: z.string().max(MAX_TEXT).default(''),
});

/**
 * A span as an SDK posts it: the core `Span` shape (camelCase) with most fields optional. Unknown
 * keys are dropped; `tenantId` is accepted but ignored (the tenant comes from the request headers).
 */
export const ingestSpanSchema = z
  .object({
    traceId: hex(32).optional(),
    spanId: hex(16).optional(),
    parentSpanId: hex(16).optional(),
    tenantId: z.string().max(MAX_ID).optional(),
    agentId: z.string().min(1).max(MAX_ID).optional(),
    sessionId: z.string().min(1).max(MAX_ID).optional(),
    endUser: z.string().min(1).max(MAX_ID).optional(),
    operation: z.enum(['chat', 'completion', 'embedding', 'responses', 'messages', 'other']),
    provider: z.string().min(1).max(128),
    model: z.string().max(MAX_ID).default(''),
    responseModel: z.string().max(MAX_ID).optional(),
    method: z.string().max(16).optional(),
    path: z.string().max(2048).optional(),
    startTime: epochMs,
    endTime: epochMs.optional(),
    durationMs: z.number().min(0).max(1e12).optional(),
    ttftMs: z.number().min(0).max(1e12).optional(),
    stream: z.boolean().default(false),
    statusCode: z.number().int().min(0).max(599).optional(),
    status: z.enum(['ok', 'error', 'cancelled', 'blocked']).optional(),
    error: z
      .string()
      .max(64 * 1024)
      .optional(),
    promptTokens: count.default(0),
    completionTokens: count.default(0),
    totalTokens: count.optional(),
    cachedTokens: count.optional(),
    reasoningTokens: count.optional(),
    usageSource: z.enum(['upstream', 'estimated', 'none']).optional(),
    costUsd: z.number().min(0).max(1e9).optional(),
    securityScore: z.number().min(0).max(100).default(0),
    findings: z.array(findingSchema).max(500).default([]),
    prompt: z.array(messageSchema).max(2000).default([]),
    response: z.string().max(MAX_TEXT).default(''),
    toolCalls: z.array(toolCallSchema).max(500).default([]),
    finishReason: shortText.optional(),
    params: z
      .record(z.string().max(128), z.unknown())
      .refine((p) => JSON.stringify(p).length <= 16 * 1024, 'at most 16 KiB of params')
      .optional(),
    tags: z
      .record(z.string().min(1).max(128), z.string().max(MAX_SHORT))
      .refine((t) => Object.keys(t).length <= 64, 'at most 64 tags')
      .default({}),
  })
  .refine((s) => s.endTime === undefined || s.endTime >= s.startTime, {
    message: 'must not be before startTime',
    path: ['endTime'],
  });

/** A validated (not yet completed) ingested span. */
export type IngestSpan = z.infer<typeof ingestSpanSchema>;

/** The request body of `POST /spans`. */
export function ingestBodySchema(maxSpans: number) {
  return z.object({
    spans: z.array(ingestSpanSchema).min(1).max(maxSpans, `at most ${maxSpans} spans per request`),
  });
}

/** `spans[3].promptTokens: Invalid input: expected number` — names the bad field for the caller. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid body';
  let where = '';
  for (const key of issue.path) {
    where += typeof key === 'number' ? `[${key}]` : where === '' ? String(key) : `.${String(key)}`;
  }
  return where === '' ? issue.message : `${where}: ${issue.message}`;
}
