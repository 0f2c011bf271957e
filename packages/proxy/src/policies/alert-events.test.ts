import { describe, expect, it } from 'vitest';
import { policyEventToAlert } from './alert-events.js';

describe('policy events as alerts', () => {
  it('turns budget limits into deduplicated alerts and ignores routine refusals', () => {
    const hard = policyEventToAlert({
      type: 'budget.hard_limit',
      tenantId: 'acme',
      agentId: 'bot',
      window: 'daily',
      spentUsd: 50.2,
      limitUsd: 50,
    });
    expect(hard).toMatchObject({
      type: 'budget.hard_limit',
      severity: 'high',
      tenantId: 'acme',
      agentId: 'bot',
      dedupKey: 'budget.hard_limit:acme:bot:daily',
    });
    expect(hard?.title).toContain('$50.20 of $50');
    expect(
      policyEventToAlert({
        type: 'budget.soft_limit',
        tenantId: 'acme',
        window: 'hourly',
        spentUsd: 1,
        limitUsd: 1,
      })?.severity,
    ).toBe('medium');
    expect(
      policyEventToAlert({
        type: 'rate_limit.exceeded',
        tenantId: 'acme',
        scope: 'tenant',
        kind: 'requests',
      }),
    ).toBeUndefined();
    expect(
      policyEventToAlert({ type: 'store.degraded', component: 'rate_limit', detail: 'redis unavailable' })
        ?.type,
    ).toBe('policy.store_degraded');
  });
});
