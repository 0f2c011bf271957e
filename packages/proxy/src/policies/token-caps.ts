import { LLMTraceError } from '@llmtrace/core';
import type { PolicyContext, PolicyDecision, RequestPolicy } from '../pipeline/policy.js';
import { type PromptTokenEstimator, promptTokensOf, roughPromptTokens } from './estimate.js';
import { type TenantOverrides, withTenantPolicy } from './overrides.js';
import type { TenantPolicy, TokenCaps } from './types.js';

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

  // Synchronous: with the tenant's overrides at hand (the usual case), a request within its caps
  // is answered without a promise. Reads each cap instead of merging objects per request.
  const decide = (context: PolicyContext, tenant: TenantPolicy | undefined): PolicyDecision | undefined => {
    const own = tenant?.tokenCaps;
    const maxPromptTokens = capOf(own, options, 'maxPromptTokens');
    const cap = capOf(own, options, 'maxCompletionTokens');
    // No cap for this tenant: the request is not even parsed (that waits until the span is built).
    if (maxPromptTokens === undefined && cap === undefined) return undefined;
    const request = context.request;
    if (!request) return undefined;
    if (maxPromptTokens !== undefined) {
      const prompt = promptTokensOf(context, estimate);
      if (prompt > maxPromptTokens) {
        throw new LLMTraceError(
          'invalid_request',
          `prompt is about ${prompt} tokens, over this proxy's limit of ${maxPromptTokens}`,
        );
      }
    }
    if (cap === undefined) return undefined;
    const asked = request.maxTokens;
    if (asked !== undefined && asked <= cap) return undefined;
    const onExcess = capOf(own, options, 'onExcess') ?? 'clamp';
    if (asked !== undefined && onExcess === 'reject') {
      throw new LLMTraceError('invalid_request', `max_tokens ${asked} is over this proxy's limit of ${cap}`);
    }
    const body = context.body;
    if (onExcess !== 'clamp' || !body || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const b = body as Record<string, unknown>;
    const present = MAX_FIELDS.filter((f) => typeof b[f] === 'number');
    if (present.length > 0) for (const f of present) b[f] = Math.min(b[f] as number, cap);
    else if (context.format?.id === 'openai.responses') b.max_output_tokens = cap;
    else if (context.format?.id === 'openai.chat') b.max_completion_tokens = cap;
    else b.max_tokens = cap;
    request.maxTokens = cap;
    return { bodyChanged: true };
  };

  return {
    name: 'token-caps',
    check(context) {
      // Not an API call this proxy understands, nothing to cap: skip even the overrides look-up.
      if (!context.format) return undefined;
      return withTenantPolicy(context, options.overrides, decide);
    },
  };
}

/**
 * One cap after the tenant's override: a key the tenant's `tokenCaps` sets (even to `undefined`)
 * wins over the proxy-wide option, exactly as `{ ...options, ...tokenCaps }` would merge them.
 */
function capOf<K extends keyof TokenCaps>(
  own: TokenCaps | undefined,
  defaults: TokenCaps,
  key: K,
): TokenCaps[K] {
  return own !== undefined && Object.hasOwn(own, key) ? own[key] : defaults[key];
}
