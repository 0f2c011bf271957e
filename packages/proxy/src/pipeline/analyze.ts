import type { Finding, Logger, PromptMessage, Span } from '@llmtrace/core';
import type { CostModel, SpanScanner } from './types.js';

/**
 * Scan a conversation: the prompt messages (unless `skipPrompt`, when a policy already scanned
 * them before forwarding) and the response, with the system prompt as context for leak detection.
 * Fails open, part by part: a scanner that throws costs that part its findings, never the call.
 */
export function scanConversation(
  scanner: SpanScanner | undefined,
  prompt: readonly PromptMessage[],
  response: string,
  logger: Logger,
  options: { systemPrompt?: string; skipPrompt?: boolean } = {},
): { findings: Finding[]; score: number } {
  const findings: Finding[] = [];
  let score = 0;
  if (!scanner) return { findings, score };
  const run = (part: string, fn: () => { findings: Finding[]; score: number }): void => {
    try {
      const r = fn();
      findings.push(...r.findings);
      score = Math.max(score, r.score);
    } catch (err) {
      logger.warn('security scan failed', { part, err: String(err) });
    }
  };
  if (prompt.length > 0 && !options.skipPrompt) run('prompt', () => scanner.scanMessages(prompt));
  if (response) {
    const systemPrompt = options.systemPrompt ?? prompt.find((m) => m.role === 'system')?.content;
    run('response', () => scanner.scanResponse(response, { systemPrompt }));
  }
  return { findings, score };
}

/** The cost of a span's tokens for `model`; `undefined` when the model has no known price. */
export function costOfSpan(
  pricing: CostModel,
  model: string,
  span: Pick<Span, 'promptTokens' | 'completionTokens' | 'totalTokens' | 'cachedTokens' | 'reasoningTokens'>,
): number | undefined {
  return pricing.cost(model, {
    promptTokens: span.promptTokens,
    completionTokens: span.completionTokens,
    totalTokens: span.totalTokens,
    ...(span.cachedTokens !== undefined ? { cachedTokens: span.cachedTokens } : {}),
    ...(span.reasoningTokens !== undefined ? { reasoningTokens: span.reasoningTokens } : {}),
  });
}
