export type { Cooldown, CooldownGate } from './cooldown.js';
export { createCooldown } from './cooldown.js';
export type {
  ErrorRateMonitor,
  ErrorRateMonitorOptions,
  ErrorRateRule,
  RateLimitStormRule,
} from './error-rate.js';
export { createErrorRateMonitor } from './error-rate.js';
export { matchesFilter } from './filter.js';
export { findingAlerts, findingCategory } from './findings.js';
export { alertDedupKey, alertSummary, traceLink } from './format.js';
export type { HttpPostOptions } from './http.js';
export { AlertDeliveryError, DEFAULT_DELIVERY_TIMEOUT_MS } from './http.js';
export type {
  AlertChannelConfig,
  AlertDeliveryResult,
  AlertManager,
  AlertManagerOptions,
  AlertManagerStats,
  AlertRetryOptions,
} from './manager.js';
export { createAlertManager } from './manager.js';
export type { PagerDutyChannelOptions, PagerDutyEvent, PagerDutySeverity } from './pagerduty.js';
export { createPagerDutyChannel, PAGERDUTY_EVENTS_URL, pagerDutyEvent } from './pagerduty.js';
export {
  DEFAULT_SIGNATURE_TOLERANCE_SEC,
  SIGNATURE_HEADER,
  signWebhookPayload,
  verifyWebhookSignature,
} from './signature.js';
export type { SlackChannelOptions, SlackMessage } from './slack.js';
export { createSlackChannel, slackMessage } from './slack.js';
export type {
  AlertChannel,
  AlertEvent,
  AlertEventInput,
  AlertFilter,
  AlertHistorySink,
  BuiltinAlertType,
  FetchLike,
} from './types.js';
export { ALERT_TYPES } from './types.js';
export type { WebhookChannelOptions, WebhookPayload } from './webhook.js';
export { createWebhookChannel, webhookPayload } from './webhook.js';
