import { arr, obj } from './shared.js';

/**
 * For `inject_stream_usage`: make an OpenAI streaming chat/completions request ask for the final
 * usage chunk (`stream_options.include_usage: true`). Mutates `body`. Returns `true` when the
 * client had NOT asked for usage itself — the pipeline must then drop that extra chunk (see
 * {@link isUsageOnlyChunk}) so the client receives exactly what it would have without the proxy.
 * Non-streaming requests are left alone and return `false`.
 *
 * @example
 * const body = { model: 'gpt-4o', stream: true, messages };
 * injectStreamUsage(body); // true; body.stream_options = { include_usage: true }
 */
export function injectStreamUsage(body: Record<string, unknown>): boolean {
  if (body.stream !== true) return false;
  const current = body.stream_options;
  const options = obj(current);
  if (options.include_usage === true) return false;
  body.stream_options = { ...options, include_usage: true };
  return true;
}

/**
 * Whether an SSE `data:` payload is the usage-only chunk OpenAI sends last when
 * `include_usage` is set: `choices: []` together with a `usage` object.
 *
 * @example isUsageOnlyChunk('{"id":"c1","choices":[],"usage":{"prompt_tokens":3}}') // true
 */
export function isUsageOnlyChunk(data: string): boolean {
  // Cheap pre-check: most chunks carry content and never need a JSON parse here.
  if (!data.includes('"usage"') || !data.includes('"choices"')) return false;
  try {
    const chunk = obj(JSON.parse(data));
    const usage = chunk.usage;
    return (
      arr(chunk.choices).length === 0 &&
      Array.isArray(chunk.choices) &&
      usage !== null &&
      typeof usage === 'object'
    );
  } catch {
    return false;
  }
}
