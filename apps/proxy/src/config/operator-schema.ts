import { z } from 'zod';

const severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
const filter = {
  /** Lowest severity this channel receives. */
  min_severity: severity.optional(),
  /** Only these event types (e.g. `security.finding`, `budget.hard_limit`, `anomaly.cost_per_request`). */
  event_types: z.array(z.string().min(1)).optional(),
  /** Only these tenants. */
  tenants: z.array(z.string().min(1)).optional(),
};

const channelSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('webhook'), url: z.string().url(), secret: z.string().min(16), ...filter })
    .strict(),
  z.object({ type: z.literal('slack'), webhook_url: z.string().url(), ...filter }).strict(),
  z
    .object({
      type: z.literal('pagerduty'),
      routing_key: z.string().min(1),
      events_url: z.string().url().optional(),
      ...filter,
    })
    .strict(),
]);

/** `alerts`: where security findings, budget limits, error spikes and anomalies are sent. */
export const alertsSchema = z
  .object({
    enabled: z.boolean().default(false),
    channels: z.array(channelSchema).default([]),
    /** Findings at or above this severity become alerts. */
    finding_severity: severity.default('high'),
    /** One alert per (tenant, type) per window; a more severe repeat breaks through. */
    cooldown_ms: z.number().int().min(0).default(300_000),
    /** Base URL of the dashboard, for links to the trace in messages. */
    ui_base_url: z.string().url().optional(),
    /** Deliveries waiting at most; beyond it new alerts are dropped and counted. */
    queue_size: z.number().int().positive().default(1000),
  })
  .strict()
  .prefault({});

/** `anomaly`: online per-tenant (and per-agent) baselines for cost, tokens, latency, errors and velocity. */
export const anomalySchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Standard deviations above the baseline that count as an anomaly. */
    sensitivity: z.number().positive().default(5),
    /** Observations a series needs before it may flag. */
    min_samples: z.number().int().positive().default(30),
    metrics: z
      .array(z.enum(['cost_per_request', 'tokens_per_request', 'latency', 'error_rate', 'request_velocity']))
      .optional(),
  })
  .strict()
  .prefault({});

/** `otel`: export every span over OTLP/HTTP with the GenAI semantic conventions. */
export const otelSchema = z
  .object({
    export: z
      .object({
        enabled: z.boolean().default(false),
        /** Collector traces endpoint, e.g. `http://otel-collector:4318/v1/traces`. */
        url: z.string().url().optional(),
        headers: z.record(z.string(), z.string()).default({}),
        /** Send prompts and responses too (off by default). */
        include_content: z.boolean().default(false),
        service_name: z.string().default('llmtrace-proxy'),
      })
      .strict()
      .refine((e) => !e.enabled || e.url !== undefined, {
        message: 'otel.export.url is required when export is enabled',
        path: ['url'],
      })
      .prefault({}),
    /** Accept OTLP/HTTP GenAI spans at POST /v1/traces. */
    ingest: z.boolean().default(true),
  })
  .strict()
  .prefault({});

/** `ui`: the dashboard at /ui and the REST API at /api/v1. */
export const uiSchema = z
  .object({
    enabled: z.boolean().default(true),
  })
  .strict()
  .prefault({});
