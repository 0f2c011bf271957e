import { num, obj } from './shared.js';
import type { Usage } from './types.js';

/**
 * Read an OpenAI chat/completions/embeddings `usage` object (`prompt_tokens`, `completion_tokens`,
 * `prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`).
 * `undefined` when the value carries no token counts.
 */
export function openaiUsage(value: unknown): Usage | undefined {
  const u = obj(value);
  const prompt = num(u.prompt_tokens);
  const completion = num(u.completion_tokens);
  const total = num(u.total_tokens);
  if (prompt === undefined && completion === undefined && total === undefined) return undefined;
  const p = prompt ?? 0;
  const c = completion ?? (total !== undefined ? Math.max(0, total - p) : 0);
  const usage: Usage = { promptTokens: p, completionTokens: c, totalTokens: total ?? p + c };
  const cached = num(obj(u.prompt_tokens_details).cached_tokens);
  if (cached) usage.cachedTokens = cached;
  const reasoning = num(obj(u.completion_tokens_details).reasoning_tokens);
  if (reasoning) usage.reasoningTokens = reasoning;
  return usage;
}
