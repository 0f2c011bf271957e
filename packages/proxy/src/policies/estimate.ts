import type { PolicyContext } from '../pipeline/policy.js';
import type { ParsedRequest } from '../providers/types.js';
import { requestState } from './state.js';

/** Estimates a request's prompt tokens before it is sent. */
export type PromptTokenEstimator = (request: ParsedRequest) => number;

/**
 * A rough default: four characters per token plus a few per message. The app wires the real
 * tokenizer-based estimator; this one only keeps the policies usable on their own.
 */
export const roughPromptTokens: PromptTokenEstimator = (request) => {
  let chars = 0;
  for (const m of request.messages) chars += m.content.length;
  return Math.ceil(chars / 4) + 4 * request.messages.length;
};

/** The request's estimated prompt tokens, computed once per request. */
export function promptTokensOf(context: PolicyContext, estimate: PromptTokenEstimator): number {
  if (!context.request) return 0;
  const state = requestState(context);
  state.promptTokens ??= estimate(context.request);
  return state.promptTokens;
}
