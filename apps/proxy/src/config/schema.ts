import { DEFAULT_WARM_UP_CALLS } from '@llmtrace/security';
import { z } from 'zod';
import { alertsSchema, anomalySchema, otelSchema, uiSchema } from './operator-schema.js';
import { policiesConfigShape } from './policies-schema.js';

const url = z.string().url();
const positiveInt = z.number().int().positive();

const writerSchema = z
  .object({
    /** Spans per batch write. */
    batch_size: positiveInt.default(100),
    /** Longest a span waits in memory before a flush, ms. */
    flush_interval_ms: positiveInt.default(200),
    /** Spans held in memory while the store is slow or down; beyond this they go to the spool. */
    max_queue: positiveInt.default(10_000),
    /** Append-only file for spans the store could not take yet; empty disables spooling. */
    spool_path: z.string().default('./llmtrace.spool'),
    /** Disk budget of the spool; beyond it spans are dropped (and counted). */
    spool_max_bytes: positiveInt.default(256 * 1024 * 1024),
  })
  .strict()
  .prefault({});

const common = {
  /** Create or upgrade the schema at start. */
  auto_migrate: z.boolean().default(true),
  /** Delete spans older than this many days; 0 keeps everything. */
  retention_days: z.number().int().min(0).default(0),
  /** Store spans with PII and secrets replaced by typed placeholders (`[REDACTED:pii.email]`). */
  redact_pii: z.boolean().default(false),
  writer: writerSchema,
};

/** `storage`: where spans, metadata and shared counters live. `profile` picks the shape. */
export const storageSchema = z.discriminatedUnion('profile', [
  z
    .object({
      profile: z.literal('sqlite'),
      database_path: z.string().min(1).default('./llmtrace.db'),
      ...common,
    })
    .strict(),
  z.object({ profile: z.literal('memory'), ...common }).strict(),
  z
    .object({ profile: z.literal('postgres'), postgres_url: url, redis_url: url.optional(), ...common })
    .strict(),
  z
    .object({ profile: z.literal('clickhouse'), clickhouse_url: url, redis_url: url.optional(), ...common })
    .strict(),
  z
    .object({
      profile: z.literal('production'),
      clickhouse_url: url,
      postgres_url: url,
      redis_url: url,
      ...common,
    })
    .strict(),
]);

const routeSchema = z
  .object({
    /** Requests whose path starts with this prefix go to `upstream`. */
    prefix: z.string().startsWith('/').optional(),
    /** Requests with `x-llmtrace-provider: <provider>` go to `upstream`. */
    provider: z.string().min(1).optional(),
    upstream: url,
    /** Remove `prefix` from the path before forwarding. */
    strip_prefix: z.boolean().default(false),
  })
  .strict()
  .refine((r) => r.prefix !== undefined || r.provider !== undefined, {
    message: 'a route needs a prefix or a provider',
  });

const modelPriceSchema = z
  .object({
    /** USD per million input tokens. */
    input: z.number().min(0),
    /** USD per million output tokens. */
    output: z.number().min(0),
    /** USD per million cached input tokens (defaults to `input`). */
    cached_input: z.number().min(0).optional(),
    /** USD per million reasoning tokens (defaults to `output`). */
    reasoning: z.number().min(0).optional(),
  })
  .strict();

/** The whole configuration. Keys are snake_case in YAML; see `config.example.yaml`. */
export const configSchema = z
  .object({
    /** Address the proxy listens on (`host:port`). */
    listen_addr: z
      .string()
      .regex(/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:8080')
      .default('127.0.0.1:8080'),
    /** Default upstream for every request no route claims. */
    upstream_url: url.default('https://api.openai.com'),
    /** Extra upstreams by path prefix or provider header; first match wins. */
    routes: z.array(routeSchema).default([]),
    /** Largest request body accepted, bytes; larger gets 413. */
    max_request_body_bytes: positiveInt.default(10 * 1024 * 1024),
    /** Add `stream_options.include_usage` to OpenAI streams; clients that did not ask never see the extra chunk. */
    inject_stream_usage: z.boolean().default(false),
    /** Secret for the keyed hash deriving tenant ids from API keys. Set it in production. */
    tenant_secret: z.string().min(8).default('llmtrace-default-tenant-secret'),
    timeouts: z
      .object({
        /** TCP/TLS connect timeout to the upstream, ms. */
        connect_ms: positiveInt.default(10_000),
        /** Time to the upstream's response headers before a 504, ms. */
        headers_ms: positiveInt.default(120_000),
        /** Longest silence while a response streams, ms. */
        body_ms: positiveInt.default(300_000),
        /** How long shutdown waits for in-flight requests, ms. */
        shutdown_ms: positiveInt.default(30_000),
      })
      .strict()
      .prefault({}),
    analysis: z
      .object({
        /** Build spans (token estimates, cost, security scan) on a worker thread, off the event loop that serves traffic. */
        worker: z.boolean().default(false),
        /**
         * With `worker` off, calls carrying more than this many bytes of prompt and response are
         * still analysed on a worker thread, started at the first such call, so that one large
         * prompt's scan does not hold up the event loop; 0 keeps every call on the serving thread.
         */
        large_call_bytes: z
          .number()
          .int()
          .nonnegative()
          .default(32 * 1024),
      })
      .strict()
      .prefault({}),
    memory: z
      .object({
        /**
         * After this long without a request following traffic, run full garbage collections (three
         * passes over the next 7 s) so the heap grown under load goes back to the system, and one
         * at start-up, before listening, for the start-up garbage; 0 turns both off. ms. Not much
         * shorter: each collection shrinks V8's young generation, and traffic that resumes soon
         * after runs slower until it has grown back.
         */
        idle_gc_ms: z.number().int().min(0).default(30_000),
      })
      .strict()
      .prefault({}),
    storage: storageSchema.prefault({ profile: 'sqlite' }),
    security: z
      .object({
        /** Scan every call's prompt and response. */
        enabled: z.boolean().default(true),
        /** Score (0–100) at or above which a call is flagged / blocked. */
        flag_threshold: z.number().min(0).max(100).default(50),
        block_threshold: z.number().min(0).max(100).default(85),
        /** The built-in learned injection model (rules alone when off). */
        learned_model: z.boolean().default(true),
        /** Characters of scanned text whose findings are remembered (repeated system prompts and turns); 0 turns it off. */
        scan_cache_chars: z.number().int().min(0).default(4_000_000),
        /**
         * Made-up chat calls run through the scanner at start-up, so that V8 has optimized its code
         * before traffic arrives (about 0.5 s on a small machine); 0 turns it off.
         */
        warm_up_calls: z.number().int().min(0).max(100_000).default(DEFAULT_WARM_UP_CALLS),
        /** Switch individual detectors off (or on) by name, e.g. `{ pii: false }`. */
        detectors: z.record(z.string(), z.boolean()).default({}),
        /** Extra rules: a regex (checked for catastrophic backtracking) or a keyword list. */
        custom_rules: z
          .array(
            z
              .object({
                name: z.string().min(1),
                pattern: z.string().min(1).optional(),
                keywords: z.array(z.string().min(1)).min(1).optional(),
                severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('medium'),
                roles: z.array(z.enum(['user', 'assistant', 'system', 'tool'])).optional(),
              })
              .strict()
              .refine((r) => r.pattern !== undefined || r.keywords !== undefined, {
                message: 'a custom rule needs a pattern or keywords',
              }),
          )
          .default([]),
        /** Texts (exact substrings) that never produce findings, e.g. a documented test key. */
        allow_list: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    pricing: z
      .object({
        /** A JSON file of extra or overriding model prices. */
        file: z.string().optional(),
        /** Per-model prices (USD per million tokens), e.g. for self-hosted models. */
        models: z.record(z.string(), modelPriceSchema).default({}),
      })
      .strict()
      .prefault({}),
    ...policiesConfigShape,
    alerts: alertsSchema,
    anomaly: anomalySchema,
    otel: otelSchema,
    ui: uiSchema,
    logging: z
      .object({
        level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
        format: z.enum(['json', 'pretty']).default('json'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Configuration as written (before defaults). */
export type ConfigInput = z.input<typeof configSchema>;
/** Resolved configuration (defaults applied). */
export type Config = z.output<typeof configSchema>;
export type StorageConfig = Config['storage'];
