import type { AlertEvent } from './types.js';

/**
 * The condition an event belongs to: its `dedupKey`, else `<type>:<tenantId>`. Used for the
 * cooldown window and as PagerDuty's `dedup_key`.
 */
export function alertDedupKey(event: Pick<AlertEvent, 'type' | 'tenantId' | 'dedupKey'>): string {
  return event.dedupKey ?? `${event.type}:${event.tenantId}`;
}

/**
 * Link to the event's trace in the UI: `<uiBaseUrl>/traces/<traceId>`; undefined without both.
 *
 * @example traceLink('https://llmtrace.example.com', 'abc') // 'https://llmtrace.example.com/traces/abc'
 */
export function traceLink(uiBaseUrl: string | undefined, traceId: string | undefined): string | undefined {
  if (!uiBaseUrl || !traceId) return undefined;
  return `${uiBaseUrl.replace(/\/+$/, '')}/traces/${encodeURIComponent(traceId)}`;
}

/** `[RESOLVED] ` prefix plus the title: the one-line text every channel shows. */
export function alertSummary(event: Pick<AlertEvent, 'title' | 'resolved'>): string {
  return event.resolved ? `[RESOLVED] ${event.title}` : event.title;
}
