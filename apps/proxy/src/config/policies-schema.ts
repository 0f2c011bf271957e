import { z } from 'zod';

const severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
const failMode = z.enum(['open', 'closed']);
const positiveInt = z.number().int().positive();

const ruleSchema = z
  .object({
    /** Finding type (`pii.email`), prefix with `*` (`secret.*`), or `*`. */
    match: z.string().min(1),
    action: z.enum(['log', 'flag', 'block', 'redact']),
    /** Findings below this severity are ignored by the rule. */
    min_severity: severity.default('info'),
    /** Findings below this confidence (0–1) are ignored by the rule. */
    min_confidence: z.number().min(0).max(1).default(0),
  })
  .strict();

/** `auth`: proxy keys (`llmt_…`). Off by default: the proxy then trusts its network. */
export const authSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** A raw admin key accepted without a look-up (set it from the environment, not the file). */
    bootstrap_key: z
      .string()
      .regex(
        /^llmt_[A-Za-z0-9_-]{43}$/,
        'expected a key made by `llmtrace-proxy keys create` (llmt_ + 43 characters)',
      )
      .optional(),
    /** Tenant of the bootstrap key. */
    bootstrap_tenant: z.string().min(1).default('default'),
    /** HMAC pepper for stored key hashes; changing it invalidates every key. */
    key_pepper: z.string().min(16).optional(),
    /** How long a verified key is cached, ms; a revocation takes effect within it. */
    cache_ttl_ms: z.number().int().min(0).default(30_000),
  })
  .strict()
  .prefault({});

/** `rate_limits`: requests and tokens per minute, per tenant, key or agent. */
export const rateLimitsSchema = z
  .object({
    /** `memory` limits each process; `redis` shares one limit across replicas. */
    backend: z.enum(['memory', 'redis']).default('memory'),
    /** Redis for `backend: redis` (defaults to `storage.redis_url`). */
    redis_url: z.string().url().optional(),
    key_prefix: z.string().default('llmtrace:rl:'),
    /** On a Redis outage: `open` keeps serving with per-process limits, `closed` refuses with 429. */
    fail_mode: failMode.default('open'),
    /** Completion tokens counted up front when a request sets no `max_tokens`. */
    default_completion_tokens: z.number().int().min(0).default(0),
    rules: z
      .array(
        z
          .object({
            scope: z.enum(['tenant', 'key', 'agent']),
            requests_per_minute: positiveInt.optional(),
            tokens_per_minute: positiveInt.optional(),
            /** Extra requests allowed over `burst_window_seconds` on top of the steady rate. */
            burst: z.number().int().min(0).default(0),
            burst_window_seconds: positiveInt.default(60),
          })
          .strict()
          .refine((r) => r.requests_per_minute !== undefined || r.tokens_per_minute !== undefined, {
            message: 'a rate limit needs requests_per_minute or tokens_per_minute',
          }),
      )
      .default([]),
  })
  .strict()
  .prefault({});

/** `budgets`: spend limits per tenant or agent over rolling windows, reserved before forwarding. */
export const budgetsSchema = z
  .object({
    /** On a shared-counter outage: `open` counts per process, `closed` refuses with 429. */
    fail_mode: failMode.default('open'),
    /** Completion tokens assumed for the worst case when a request sets no `max_tokens`. */
    default_completion_tokens: positiveInt.default(4096),
    key_prefix: z.string().default('budget:'),
    rules: z
      .array(
        z
          .object({
            scope: z.enum(['tenant', 'agent']),
            window: z.enum(['hourly', 'daily', 'weekly', 'monthly']),
            /** Crossing it sends a `budget.soft_limit` alert. */
            soft_usd: z.number().nonnegative().optional(),
            /** A request that could cross it is refused (429 `budget_exceeded`). */
            hard_usd: z.number().nonnegative().optional(),
          })
          .strict()
          .refine((r) => r.soft_usd !== undefined || r.hard_usd !== undefined, {
            message: 'a budget needs soft_usd or hard_usd',
          }),
      )
      .default([]),
  })
  .strict()
  .prefault({});

/** `token_caps`: per-request prompt and completion caps. */
export const tokenCapsSchema = z
  .object({
    max_prompt_tokens: positiveInt.optional(),
    max_completion_tokens: positiveInt.optional(),
    /** Over `max_completion_tokens`: `clamp` lowers it, `reject` answers 400. */
    on_excess: z.enum(['clamp', 'reject']).default('clamp'),
  })
  .strict()
  .prefault({});

/** `enforcement`: what input findings do, per finding type; first matching rule wins, else `log`. */
export const enforcementSchema = z
  .object({
    enabled: z.boolean().default(true),
    rules: z.array(ruleSchema).default([]),
  })
  .strict()
  .prefault({});

/** `output_guard`: scan responses (streaming too) and redact or stop leaks in flight. */
export const outputGuardSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Most characters held back at the end of a stream while a match could still be forming there. */
    holdback_chars: positiveInt.default(64),
    /** A match still growing is held up to this many characters. */
    max_hold_chars: positiveInt.default(512),
    rules: z
      .array(ruleSchema)
      .default([{ match: 'secret.*', action: 'redact', min_severity: 'info', min_confidence: 0 }]),
  })
  .strict()
  .prefault({});

/** `tenant_policies`: per-tenant overrides kept in the metadata store. */
export const tenantPoliciesSchema = z
  .object({
    enabled: z.boolean().default(true),
    cache_ttl_ms: z.number().int().min(0).default(10_000),
  })
  .strict()
  .prefault({});

/**
 * The policy keys of the configuration, to spread into the root schema:
 * `z.object({ ...policiesConfigShape, ... })`. (`storage.redact_pii` belongs to the storage schema.)
 */
export const policiesConfigShape = {
  auth: authSchema,
  rate_limits: rateLimitsSchema,
  budgets: budgetsSchema,
  token_caps: tokenCapsSchema,
  enforcement: enforcementSchema,
  output_guard: outputGuardSchema,
  tenant_policies: tenantPoliciesSchema,
};

/** The policy keys on their own (for tests and for `createPoliciesFromConfig`). */
export const policiesConfigSchema = z.object(policiesConfigShape).strict();

/** Resolved policy configuration. */
export type PoliciesConfig = z.output<typeof policiesConfigSchema>;

/** Environment variables for the policy keys, in the shape of the loader's `ENV_KEYS`. */
export const POLICY_ENV_KEYS: Readonly<
  Record<string, { path: string; type: 'string' | 'number' | 'boolean' }>
> = {
  LLMTRACE_AUTH_ENABLED: { path: 'auth.enabled', type: 'boolean' },
  LLMTRACE_AUTH_BOOTSTRAP_KEY: { path: 'auth.bootstrap_key', type: 'string' },
  LLMTRACE_AUTH_KEY_PEPPER: { path: 'auth.key_pepper', type: 'string' },
  LLMTRACE_RATE_LIMITS_BACKEND: { path: 'rate_limits.backend', type: 'string' },
  LLMTRACE_RATE_LIMITS_REDIS_URL: { path: 'rate_limits.redis_url', type: 'string' },
  LLMTRACE_RATE_LIMITS_FAIL_MODE: { path: 'rate_limits.fail_mode', type: 'string' },
  LLMTRACE_BUDGETS_FAIL_MODE: { path: 'budgets.fail_mode', type: 'string' },
  LLMTRACE_OUTPUT_GUARD_ENABLED: { path: 'output_guard.enabled', type: 'boolean' },
};
