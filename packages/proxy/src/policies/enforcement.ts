import { LLMTraceError } from '@llmtrace/core';
import type { Scanner } from '@llmtrace/security';
import type { PolicyContext, PolicyDecision, RequestPolicy } from '../pipeline/policy.js';
import { findingsSummary, planActions } from './actions.js';
import { type TenantOverrides, withTenantPolicy } from './overrides.js';
import { redactBody, replacementsFor } from './redact.js';
import { requestState } from './state.js';
import type { EnforcementRule, TenantPolicy } from './types.js';

/** Options for {@link createInputScanPolicy} and {@link createEnforcementPolicy}. */
export interface EnforcementPolicyOptions {
  scanner: Scanner;
  /** Per finding type: `log | flag | block | redact`, first match wins; unmatched findings are logged. */
  rules: readonly EnforcementRule[];
  overrides?: TenantOverrides;
}

/**
 * Scan the request's messages before it is forwarded. Its findings go to the span even when a
 * later policy blocks the request (which is why scanning and acting are two policies).
 */
export function createInputScanPolicy(
  options: Pick<EnforcementPolicyOptions, 'scanner' | 'overrides'>,
): RequestPolicy {
  const decide = (context: PolicyContext, tenant: TenantPolicy | undefined): PolicyDecision | undefined => {
    const messages = context.request?.messages;
    if (!messages || (tenant?.monitoringScope ?? 'hybrid') === 'output_only') return undefined;
    const result = options.scanner.scanMessages(messages);
    requestState(context).inputScan = result;
    return { findings: result.findings, score: result.score };
  };
  return {
    name: 'input-scan',
    // The scan is synchronous: with the tenant's overrides cached, so is the whole check.
    check(context) {
      const messages = context.request?.messages;
      if (!messages || messages.length === 0) return undefined;
      return withTenantPolicy(context, options.overrides, decide);
    },
  };
}

/**
 * Act on the input scan, per finding type: `log` records, `flag` forwards with
 * `x-llmtrace-flagged: true` and `x-llmtrace-findings`, `block` refuses with 403
 * `content_policy_violation` (the upstream is never called), `redact` replaces the matched text in
 * the request with a typed placeholder (`[REDACTED:pii.email]`) before the upstream sees it. A
 * redaction that cannot be applied blocks instead: the text is never forwarded unredacted.
 *
 * @example
 * const opts = { scanner: createScanner(), rules: [{ match: 'secret.*', action: 'redact' }, { match: 'prompt_injection', action: 'block', minSeverity: 'high' }] };
 * policies: [createInputScanPolicy(opts), createEnforcementPolicy(opts)]
 */
export function createEnforcementPolicy(options: EnforcementPolicyOptions): RequestPolicy {
  const decide = (context: PolicyContext, tenant: TenantPolicy | undefined): PolicyDecision | undefined => {
    const scan = requestState(context).inputScan;
    if (!scan) return undefined;
    const rules = tenant?.enforcement ?? options.rules;
    const plan = planActions(scan.findings, rules);
    // Score thresholds still apply: a verdict of `block` over the tenant's threshold refuses.
    const blockAt = tenant?.thresholds?.block;
    if (plan.byAction.block.length > 0 || (blockAt !== undefined && scan.score >= blockAt)) {
      const types = findingsSummary(plan.byAction.block.length > 0 ? plan.byAction.block : scan.findings);
      throw new LLMTraceError('content_policy_violation', `request blocked by content policy (${types})`);
    }
    const decision: PolicyDecision = {};
    if (plan.byAction.redact.length > 0) {
      const body = context.body;
      const list =
        body && typeof body === 'object' && context.request
          ? replacementsFor(plan.byAction.redact, context.request.messages)
          : undefined;
      const missed = list ? redactBody(body as Record<string, unknown>, list) : ['?'];
      if (missed.length > 0) {
        throw new LLMTraceError(
          'content_policy_violation',
          `request blocked: could not redact ${findingsSummary(plan.byAction.redact)}`,
        );
      }
      decision.bodyChanged = true;
    }
    const headers: Record<string, string> = {};
    if (plan.byAction.redact.length > 0)
      headers['x-llmtrace-redacted'] = findingsSummary(plan.byAction.redact);
    const flagAt = tenant?.thresholds?.flag;
    if (plan.byAction.flag.length > 0 || (flagAt !== undefined && scan.score >= flagAt)) {
      headers['x-llmtrace-flagged'] = 'true';
      headers['x-llmtrace-findings'] = findingsSummary(
        plan.byAction.flag.length > 0 ? plan.byAction.flag : scan.findings,
      );
    }
    if (Object.keys(headers).length > 0) decision.responseHeaders = headers;
    return decision.bodyChanged || decision.responseHeaders ? decision : undefined;
  };
  return {
    name: 'enforcement',
    // A clean scan (the usual case) needs neither the overrides nor a promise.
    check(context) {
      const scan = requestState(context).inputScan;
      if (!scan || scan.findings.length === 0) return undefined;
      return withTenantPolicy(context, options.overrides, decide);
    },
  };
}
