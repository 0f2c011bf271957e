import { severityRank } from '@llmtrace/core';
import type { AlertEvent, AlertFilter } from './types.js';

/**
 * Whether a channel's filter accepts an event: severity at or above `minSeverity`, type listed in
 * `eventTypes` (exact, or a prefix ending in `*`), tenant listed in `tenants`. Absent fields match all.
 *
 * @example matchesFilter({ eventTypes: ['security.*'] }, event)
 */
export function matchesFilter(
  filter: AlertFilter,
  event: Pick<AlertEvent, 'type' | 'severity' | 'tenantId'>,
): boolean {
  if (filter.minSeverity && severityRank(event.severity) < severityRank(filter.minSeverity)) return false;
  if (filter.tenants && filter.tenants.length > 0 && !filter.tenants.includes(event.tenantId)) return false;
  if (filter.eventTypes && filter.eventTypes.length > 0) {
    return filter.eventTypes.some((t) =>
      t.endsWith('*') ? event.type.startsWith(t.slice(0, -1)) : t === event.type,
    );
  }
  return true;
}
