import { LLMTraceError } from '@llmtrace/core';
import type { PolicyDecision, RequestPolicy } from '../pipeline/policy.js';
import { type PromptTokenEstimator, promptTokensOf, roughPromptTokens } from './estimate.js';
import { type TenantOverrides, tenantPolicyFor } from './overrides.js';
import type { TokenCaps } from './types.js';

/** Options for {@link createTokenCapPolicy}. */
export interface TokenCapPolicyOptions extends TokenCaps {
  estimatePromptTokens?: PromptTokenEstimator;
  overrides?: TenantOverrides;
}

// Every body field that caps completion tokens, by API: chat, completions, Anthropic, responses.
const MAX_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;

/**
 * Token caps: refuse prompts estimated above `maxPromptTokens` (400), and refuse or clamp a
 * `max_tokens` (or `max_completion_tokens` / `max_output_tokens`) above `maxCompletionTokens`.
 * Clamping also sets the cap on a request that names none, so the worst case stays bounded.
 *
 * @example
 * createTokenCapPolicy({ maxPromptTokens: 32_000, maxCompletionTokens: 4096, onExcess: 'clamp' });
 */
export function createTokenCapPolicy(options: TokenCapPolicyOptions): RequestPolicy {
  const estimate = options.estimatePromptTokens ?? roughPromptTokens;
  return {
    name: 'token-caps',
    async check(context): Promise<PolicyDecision | undefined> {
      const request = context.request;
      if (!request) return undefined;
      const caps = { ...options, ...(await tenantPolicyFor(context, options.overrides))?.tokenCaps };
      if (caps.maxPromptTokens !== undefined) {
        const prompt = promptTokensOf(context, estimate);
        if (prompt > caps.maxPromptTokens) {
          throw new LLMTraceError(
            'invalid_request',
            `prompt is about ${prompt} tokens, over this proxy's limit of ${caps.maxPromptTokens}`,
          );
        }
      }
      const cap = caps.maxCompletionTokens;
      if (cap === undefined) return undefined;
      const asked = request.maxTokens;
      if (asked !== undefined && asked <= cap) return undefined;
      if (asked !== undefined && (caps.onExcess ?? 'clamp') === 'reject') {
        throw new LLMTraceError(
          'invalid_request',
          `max_tokens ${asked} is over this proxy's limit of ${cap}`,
        );
      }
      const body = context.body;
      if ((caps.onExcess ?? 'clamp') !== 'clamp' || !body || typeof body !== 'object' || Array.isArray(body))
        return undefined;
      const b = body as Record<string, unknown>;
      const present = MAX_FIELDS.filter((f) => typeof b[f] === 'number');
      if (present.length > 0) for (const f of present) b[f] = Math.min(b[f] as number, cap);
      else if (context.format?.id === 'openai.responses') b.max_output_tokens = cap;
      else if (context.format?.id === 'openai.chat') b.max_completion_tokens = cap;
      else b.max_tokens = cap;
      request.maxTokens = cap;
      return { bodyChanged: true };
    },
  };
}
