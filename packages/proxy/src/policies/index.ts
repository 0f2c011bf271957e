export type { ActionPlan } from './actions.js';
export { actionFor, findingsSummary, placeholder, planActions } from './actions.js';
export { policyEventToAlert } from './alert-events.js';
export type { AuthPolicyOptions, KeyVerifierOptions, VerifiedKey } from './auth.js';
export { createAuthPolicy, createKeyVerifier } from './auth.js';
export type { BudgetPolicy, BudgetPolicyOptions, WindowSpend } from './budgets.js';
export { createBudgetPolicy } from './budgets.js';
export type { EnforcementPolicyOptions } from './enforcement.js';
export { createEnforcementPolicy, createInputScanPolicy } from './enforcement.js';
export type { PromptTokenEstimator } from './estimate.js';
export { roughPromptTokens } from './estimate.js';
export type { FallbackCounters, FallbackCountersOptions } from './fallback-counters.js';
export { createFallbackCounters } from './fallback-counters.js';
export type { CreateKeyOptions, KeyInfo, KeyRole } from './keys.js';
export {
  createApiKey,
  generateKey,
  hashKey,
  isKeyFormat,
  KEY_PREFIX,
  KEY_ROLES,
  listApiKeys,
  revokeApiKey,
  roleOf,
} from './keys.js';
export { guardJsonBody } from './output-body.js';
export type { OutputGuardPolicyOptions } from './output-guard.js';
export { createAnthropicGuard, createOpenAIChatGuard, createOutputGuardPolicy } from './output-guard.js';
export type { TenantOverrides, TenantOverridesOptions } from './overrides.js';
export { createTenantOverrides, OVERRIDES_NOT_CACHED, tenantPolicySchema } from './overrides.js';
export type { RateLimitPolicyOptions } from './rate-limit.js';
export { createRateLimitPolicy } from './rate-limit.js';
export { PolicyRejection } from './rejection.js';
export type { GuardStep, TextGuard, TextGuardOptions, TextScan } from './text-guard.js';
export { createTextGuard } from './text-guard.js';
export type { TokenCapPolicyOptions } from './token-caps.js';
export { createTokenCapPolicy } from './token-caps.js';
export type {
  BudgetRule,
  BudgetWindow,
  EnforcementAction,
  EnforcementRule,
  FailMode,
  MonitoringScope,
  PolicyEvent,
  PolicyEventListener,
  PriceLookup,
  RateLimitRule,
  TenantPolicy,
  TokenCaps,
} from './types.js';
export type { WindowBucket } from './windows.js';
export { bucketOf } from './windows.js';
