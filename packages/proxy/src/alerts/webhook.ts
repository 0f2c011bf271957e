import { alertDedupKey, traceLink } from './format.js';
import { type HttpPostOptions, postForDelivery } from './http.js';
import { SIGNATURE_HEADER, signWebhookPayload } from './signature.js';
import type { AlertChannel, AlertEvent, AlertFilter } from './types.js';

/** Options of {@link createWebhookChannel}. */
export interface WebhookChannelOptions extends AlertFilter, HttpPostOptions {
  url: string;
  /** HMAC key for `X-LLMTrace-Signature`. */
  secret: string;
  /** Channel name in logs and stats. Default `webhook`. */
  name?: string;
  /** Base URL of the LLMTrace UI; adds `traceUrl` to the payload. */
  uiBaseUrl?: string;
  /** Extra request headers (e.g. an auth token the receiver expects). */
  headers?: Record<string, string>;
}

/** JSON body of a webhook delivery: the event plus its dedup key and trace link. */
export interface WebhookPayload extends AlertEvent {
  resolved: boolean;
  dedupKey: string;
  traceUrl?: string;
}

/** Build the JSON body a webhook receiver gets for an event. */
export function webhookPayload(event: AlertEvent, uiBaseUrl?: string): WebhookPayload {
  const url = traceLink(uiBaseUrl, event.traceId);
  return {
    ...event,
    resolved: event.resolved ?? false,
    dedupKey: alertDedupKey(event),
    ...(url ? { traceUrl: url } : {}),
  };
}

/**
 * Generic JSON webhook. Each attempt is signed afresh (`X-LLMTrace-Signature: t=<unix>,v1=<hex>`,
 * see `verifyWebhookSignature`), so a retry after a long backoff is not mistaken for a replay;
 * `X-LLMTrace-Delivery` carries the event id so receivers can drop duplicates.
 *
 * @example createWebhookChannel({ url: 'https://hooks.example.com/llmtrace', secret, minSeverity: 'high' })
 */
export function createWebhookChannel(options: WebhookChannelOptions): AlertChannel {
  const name = options.name ?? 'webhook';
  const filter: AlertFilter = {
    minSeverity: options.minSeverity,
    eventTypes: options.eventTypes,
    tenants: options.tenants,
  };
  return {
    name,
    filter,
    async send(event) {
      const body = JSON.stringify(webhookPayload(event, options.uiBaseUrl));
      await postForDelivery(
        name,
        options.url,
        body,
        {
          ...options.headers,
          'user-agent': 'LLMTrace-Alerts/1',
          'x-llmtrace-event': event.type,
          'x-llmtrace-delivery': event.id,
          [SIGNATURE_HEADER.toLowerCase()]: signWebhookPayload(options.secret, body),
        },
        options,
      );
    },
  };
}
