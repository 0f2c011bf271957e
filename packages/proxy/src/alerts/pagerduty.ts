import type { Severity } from '@llmtrace/core';
import { alertDedupKey, alertSummary, traceLink } from './format.js';
import { type HttpPostOptions, postForDelivery } from './http.js';
import type { AlertChannel, AlertEvent, AlertFilter } from './types.js';

/** PagerDuty's public Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Options of {@link createPagerDutyChannel}. */
export interface PagerDutyChannelOptions extends AlertFilter, HttpPostOptions {
  /** Integration (routing) key of an Events API v2 integration. */
  routingKey: string;
  /** Default {@link PAGERDUTY_EVENTS_URL}; override for tests or a regional endpoint. */
  eventsUrl?: string;
  /** Channel name in logs and stats. Default `pagerduty`. */
  name?: string;
  /** `payload.source`. Default `llmtrace`. */
  source?: string;
  /** Base URL of the LLMTrace UI; adds a link to the trace. */
  uiBaseUrl?: string;
}

/** PagerDuty Events v2 severities. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

const SEVERITY: Record<Severity, PagerDutySeverity> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

/** An Events API v2 request body (trigger or resolve). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    group: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  client?: string;
  client_url?: string;
  links?: Array<{ href: string; text: string }>;
}

/**
 * Build the Events v2 body. The `dedup_key` is the event's stable condition key
 * (`<type>:<tenant>[…]`), so repeated triggers fold into one incident and a resolved event
 * closes it.
 */
export function pagerDutyEvent(
  event: AlertEvent,
  routingKey: string,
  source = 'llmtrace',
  uiBaseUrl?: string,
): PagerDutyEvent {
  const dedupKey = alertDedupKey(event).slice(0, 255);
  if (event.resolved) return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const url = traceLink(uiBaseUrl, event.traceId);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: `${alertSummary(event)} (tenant ${event.tenantId})`.slice(0, 1024),
      source,
      severity: SEVERITY[event.severity],
      timestamp: new Date(event.time).toISOString(),
      ...(event.model ? { component: event.model } : {}),
      group: event.tenantId,
      class: event.type,
      custom_details: {
        eventId: event.id,
        tenantId: event.tenantId,
        ...(event.agentId ? { agentId: event.agentId } : {}),
        ...(event.traceId ? { traceId: event.traceId } : {}),
        ...event.details,
      },
    },
    client: 'LLMTrace',
    ...(url ? { client_url: url, links: [{ href: url, text: 'Open trace in LLMTrace' }] } : {}),
  };
}

/**
 * PagerDuty Events API v2: `trigger` with a stable `dedup_key`, `resolve` when an event has
 * `resolved: true` (e.g. an error-rate spike that cleared).
 *
 * @example createPagerDutyChannel({ routingKey, minSeverity: 'critical' })
 */
export function createPagerDutyChannel(options: PagerDutyChannelOptions): AlertChannel {
  const name = options.name ?? 'pagerduty';
  const filter: AlertFilter = {
    minSeverity: options.minSeverity,
    eventTypes: options.eventTypes,
    tenants: options.tenants,
  };
  const url = options.eventsUrl ?? PAGERDUTY_EVENTS_URL;
  return {
    name,
    filter,
    async send(event) {
      const body = JSON.stringify(
        pagerDutyEvent(event, options.routingKey, options.source, options.uiBaseUrl),
      );
      await postForDelivery(name, url, body, {}, options);
    },
  };
}
