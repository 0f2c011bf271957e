import type { SpanHandle } from '../span.js';

/** How one wrapped API method is traced. */
export interface CallHooks {
  /** Span operation name. */
  operation: string;
  /** Record the request (model, prompt, params). */
  request(span: SpanHandle, body: Record<string, unknown>, capture: boolean): void;
  /** Record a non-streaming result. */
  response(span: SpanHandle, value: unknown, capture: boolean): void;
  /** For streaming calls: a fresh per-call chunk recorder. */
  stream?(span: SpanHandle, capture: boolean): StreamRecorder;
}

/** Sees each chunk of a stream, then its end. */
export interface StreamRecorder {
  chunk(chunk: unknown): void;
  finish(): void;
}

/** Read a property of an unknown value without trusting its shape. */
export function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

/** A finite non-negative number, else `undefined`. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A string, else `undefined`. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const PARAM_KEYS = [
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'max_output_tokens',
  'n',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'dimensions',
  'encoding_format',
  'reasoning_effort',
  'user',
] as const;

/** Request parameters worth keeping (primitives only; no prompts, no tools bodies). */
export function pickParams(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const k of PARAM_KEYS) {
    const v = body[k];
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  }
  if (Array.isArray(body.tools)) out.tools = body.tools.length;
  return Object.keys(out).length > 0 ? out : undefined;
}
