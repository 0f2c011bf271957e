/**
 * Histogram buckets from the OpenTelemetry GenAI metric conventions (explicit bucket advice for
 * `gen_ai.client.operation.duration`, `gen_ai.client.token.usage` and
 * `gen_ai.server.time_to_first_token`).
 */
export const GENAI_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** Token-count buckets of `gen_ai.client.token.usage`. */
export const GENAI_TOKEN_BUCKETS: readonly number[] = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** Time-to-first-token buckets of `gen_ai.server.time_to_first_token`. */
export const GENAI_TTFT_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
