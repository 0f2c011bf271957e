import type { AlertEventInput } from '../alerts/types.js';
import type { PolicyEvent } from './types.js';

/**
 * The alert for a policy event, or `undefined` for events that are not worth a page: budget soft
 * limits (warning) and hard limits (high), and a degraded limit store (high, `policy.store_degraded`).
 * Rate-limit refusals and auth failures stay in metrics and logs.
 *
 * @example
 * onEvent: (e) => { const a = policyEventToAlert(e); if (a) alerts.emit(a); }
 */
export function policyEventToAlert(event: PolicyEvent): AlertEventInput | undefined {
  switch (event.type) {
    case 'budget.soft_limit':
    case 'budget.hard_limit': {
      const who = event.agentId ? `agent ${event.agentId} of ${event.tenantId}` : event.tenantId;
      const hard = event.type === 'budget.hard_limit';
      return {
        type: event.type,
        severity: hard ? 'high' : 'medium',
        tenantId: event.tenantId,
        agentId: event.agentId,
        title: `${hard ? 'Hard' : 'Soft'} ${event.window} budget reached for ${who}: $${event.spentUsd.toFixed(2)} of $${event.limitUsd}`,
        details: { window: event.window, spentUsd: event.spentUsd, limitUsd: event.limitUsd },
        dedupKey: `${event.type}:${event.tenantId}:${event.agentId ?? ''}:${event.window}`,
      };
    }
    case 'store.degraded':
      return {
        type: 'policy.store_degraded',
        severity: 'high',
        tenantId: '*',
        title: `Shared ${event.component === 'budget' ? 'budget' : 'rate limit'} store unavailable: ${event.detail}`,
        details: { component: event.component },
        dedupKey: `policy.store_degraded:${event.component}`,
      };
    default:
      return undefined;
  }
}
