import { randomUUID } from 'node:crypto';
import {
  type Logger,
  SEVERITIES,
  type Severity,
  type Span,
  severityRank,
  silentLogger,
} from '@llmtrace/core';
import { createCooldown } from './cooldown.js';
import { matchesFilter } from './filter.js';
import { findingAlerts } from './findings.js';
import { alertDedupKey } from './format.js';
import { AlertDeliveryError } from './http.js';
import { createPagerDutyChannel, type PagerDutyChannelOptions } from './pagerduty.js';
import { createSlackChannel, type SlackChannelOptions } from './slack.js';
import type { AlertChannel, AlertEvent, AlertEventInput, AlertHistorySink, FetchLike } from './types.js';
import { createWebhookChannel, type WebhookChannelOptions } from './webhook.js';

type Shared = 'fetch' | 'uiBaseUrl' | 'timeoutMs';

/** A channel described as config (what `apps/proxy` reads from YAML). */
export type AlertChannelConfig =
  | ({ type: 'webhook' } & Omit<WebhookChannelOptions, Shared>)
  | ({ type: 'slack' } & Omit<SlackChannelOptions, Shared>)
  | ({ type: 'pagerduty' } & Omit<PagerDutyChannelOptions, Shared>);

/** Retry policy for failed deliveries. */
export interface AlertRetryOptions {
  /** Total attempts per delivery, first included. Default 5. */
  attempts?: number;
  /** First backoff; doubles each retry, with jitter. Default 1 000 ms. */
  baseMs?: number;
  /** Cap for one backoff (also caps a receiver's `Retry-After`). Default 60 000 ms. */
  maxMs?: number;
}

/** Outcome of one delivery (after its last attempt), for metrics. */
export interface AlertDeliveryResult {
  channel: string;
  event: AlertEvent;
  ok: boolean;
  attempts: number;
  /** Why it failed (channel name and status only; never a receiver URL). */
  error?: string;
}

/** Options of {@link createAlertManager}. */
export interface AlertManagerOptions {
  /** Channel configs or ready-made channels (anything implementing `AlertChannel`). */
  channels: ReadonlyArray<AlertChannelConfig | AlertChannel>;
  /**
   * Window in which repeats of one condition (`dedupKey`, default `<type>:<tenant>`) are suppressed;
   * a repeat with a higher severity than the one that opened the window still goes out. Default 300 000 ms.
   */
  cooldownMs?: number;
  /** LLMTrace UI base URL: Slack, PagerDuty and webhook payloads link to the trace. */
  uiBaseUrl?: string;
  /** Lowest finding severity `onSpan` raises alerts for. Default `high`. */
  findingSeverity?: Severity;
  retry?: AlertRetryOptions;
  /** Max deliveries waiting (queued, in flight or between retries). Beyond it events are dropped and counted. Default 1 000. */
  queueSize?: number;
  /** Deliveries in flight at once. Default 4. */
  concurrency?: number;
  /** Per-attempt HTTP timeout for config-built channels. Default 10 000 ms. */
  timeoutMs?: number;
  /** Where events are stored for later queries (every event that is not suppressed). */
  history?: AlertHistorySink;
  logger?: Logger;
  /** Fetch used by config-built channels. Default the global `fetch`. */
  fetch?: FetchLike;
  /** Called once per delivery when it succeeds or gives up. */
  onResult?: (result: AlertDeliveryResult) => void;
  /** Clock for cooldowns. Default `Date.now`. */
  now?: () => number;
}

/** Counters of an {@link AlertManager}. */
export interface AlertManagerStats {
  /** Deliveries waiting, in flight or between retries right now. */
  queued: number;
  /** Deliveries that succeeded. */
  sent: number;
  /** Deliveries that gave up (retries exhausted or a permanent error). */
  failed: number;
  /** Deliveries refused because the queue was full or the manager closed. */
  dropped: number;
  /** Events not delivered because their condition was in cooldown. */
  suppressed: number;
  /** Attempts that were retried. */
  retried: number;
}

/** Routes alert events to channels, off the request path. */
export interface AlertManager {
  /** Queue an event for every matching channel. Never throws, never waits. */
  emit(event: AlertEventInput): void;
  /** Raise `security.finding` events for a finished span (one per finding category at or above `findingSeverity`). */
  onSpan(span: Span): void;
  /** Resolves when every queued delivery has succeeded or given up. */
  flush(): Promise<void>;
  /** Stop accepting events, wait for deliveries (up to `timeoutMs`, default 10 000), then cancel retries. */
  close(timeoutMs?: number): Promise<void>;
  stats(): AlertManagerStats;
  /** The channels in use. */
  readonly channels: readonly AlertChannel[];
}

interface Job {
  event: AlertEvent;
  channel: AlertChannel;
  attempt: number;
}

function isChannel(c: AlertChannelConfig | AlertChannel): c is AlertChannel {
  return typeof (c as AlertChannel).send === 'function';
}

function buildChannel(c: AlertChannelConfig, o: AlertManagerOptions): AlertChannel {
  const shared = { fetch: o.fetch, uiBaseUrl: o.uiBaseUrl, timeoutMs: o.timeoutMs };
  switch (c.type) {
    case 'webhook':
      return createWebhookChannel({ ...c, ...shared });
    case 'slack':
      return createSlackChannel({ ...c, ...shared });
    case 'pagerduty':
      return createPagerDutyChannel({ ...c, ...shared });
  }
}

function normalise(input: AlertEventInput, now: number): AlertEvent | undefined {
  if (!input || typeof input.type !== 'string' || typeof input.tenantId !== 'string') return undefined;
  if (!SEVERITIES.includes(input.severity)) return undefined;
  const event: AlertEvent = {
    id: input.id ?? randomUUID(),
    type: input.type,
    severity: input.severity,
    tenantId: input.tenantId,
    title: String(input.title ?? input.type),
    details: { ...(input.details ?? {}) },
    time: input.time ?? now,
  };
  if (input.agentId !== undefined) event.agentId = input.agentId;
  if (input.model !== undefined) event.model = input.model;
  if (input.traceId !== undefined) event.traceId = input.traceId;
  if (input.resolved !== undefined) event.resolved = input.resolved;
  if (input.dedupKey !== undefined) event.dedupKey = input.dedupKey;
  return event;
}

/**
 * Create the alert manager: filters each event per channel, suppresses repeats of one condition
 * inside `cooldownMs`, and delivers on a bounded in-memory queue with retries and exponential
 * backoff. Nothing here runs on the request path: `emit` and `onSpan` only enqueue.
 *
 * @example
 * const alerts = createAlertManager({
 *   channels: [{ type: 'webhook', url: 'https://hooks.example.com/llmtrace', secret, minSeverity: 'high' }],
 *   cooldownMs: 60_000,
 * });
 * gatewayOptions.onSpan = (span) => alerts.onSpan(span);
 */
export function createAlertManager(options: AlertManagerOptions): AlertManager {
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const attempts = Math.max(1, options.retry?.attempts ?? 5);
  const baseMs = Math.max(0, options.retry?.baseMs ?? 1000);
  const maxMs = Math.max(baseMs, options.retry?.maxMs ?? 60_000);
  const queueSize = Math.max(1, options.queueSize ?? 1000);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const findingSeverity = options.findingSeverity ?? 'high';
  const channels = options.channels.map((c) => (isChannel(c) ? c : buildChannel(c, options)));
  const cooldown = createCooldown(Math.max(0, options.cooldownMs ?? 300_000));

  const ready: Job[] = [];
  const retrying = new Map<NodeJS.Timeout, Job>();
  let pending = 0;
  let inFlight = 0;
  let closed = false;
  let idleWaiters: Array<() => void> = [];
  const counters = { sent: 0, failed: 0, dropped: 0, suppressed: 0, retried: 0 };

  function settle(job: Job, ok: boolean, error?: string): void {
    pending--;
    if (ok) counters.sent++;
    else counters.failed++;
    try {
      options.onResult?.({
        channel: job.channel.name,
        event: job.event,
        ok,
        attempts: job.attempt,
        ...(error ? { error } : {}),
      });
    } catch (err) {
      log.warn('alert onResult hook threw', { err: String(err) });
    }
    if (pending === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  function backoff(job: Job, err: unknown): number {
    const exp = Math.min(maxMs, baseMs * 2 ** (job.attempt - 1));
    // Equal jitter: keeps a floor so a flapping receiver is not hammered, spreads retries apart.
    const delay = exp / 2 + Math.random() * (exp / 2);
    const hint = err instanceof AlertDeliveryError ? err.retryAfterMs : undefined;
    return Math.min(maxMs, Math.max(delay, hint ?? 0));
  }

  async function deliver(job: Job): Promise<void> {
    try {
      await job.channel.send(job.event);
      settle(job, true);
    } catch (err) {
      const retryable = err instanceof AlertDeliveryError ? err.retryable : true;
      const reason = err instanceof Error ? err.message : String(err);
      const fields = {
        channel: job.channel.name,
        type: job.event.type,
        tenantId: job.event.tenantId,
        attempt: job.attempt,
      };
      if (retryable && job.attempt < attempts) {
        counters.retried++;
        const delay = backoff(job, err);
        log.debug('alert delivery failed, retrying', { ...fields, reason, delayMs: Math.round(delay) });
        const timer = setTimeout(() => {
          retrying.delete(timer);
          ready.push({ ...job, attempt: job.attempt + 1 });
          pump();
        }, delay);
        timer.unref();
        retrying.set(timer, job);
      } else {
        log.warn('alert delivery failed', { ...fields, reason });
        settle(job, false, reason);
      }
    } finally {
      inFlight--;
      pump();
    }
  }

  function pump(): void {
    while (inFlight < concurrency && ready.length > 0) {
      const job = ready.shift() as Job;
      inFlight++;
      void deliver(job);
    }
  }

  function record(event: AlertEvent): void {
    if (!options.history) return;
    try {
      const r = options.history.recordEvent(event);
      if (r && typeof (r as Promise<void>).then === 'function') {
        (r as Promise<void>).then(undefined, (err: unknown) =>
          log.warn('alert history failed', { err: String(err) }),
        );
      }
    } catch (err) {
      log.warn('alert history failed', { err: String(err) });
    }
  }

  function emit(input: AlertEventInput): void {
    try {
      const at = now();
      const event = normalise(input, at);
      if (!event) {
        log.warn('alert event rejected: needs type, tenantId and a valid severity');
        return;
      }
      if (closed) {
        counters.dropped++;
        return;
      }
      const gate = cooldown.check(
        alertDedupKey(event),
        at,
        event.resolved === true,
        severityRank(event.severity),
      );
      if (!gate.pass) {
        counters.suppressed++;
        return;
      }
      if (gate.suppressedBefore > 0) event.details.suppressedSinceLastAlert = gate.suppressedBefore;
      record(event);
      let accepted = 0;
      for (const channel of channels) {
        if (!matchesFilter(channel.filter, event)) continue;
        if (pending >= queueSize) {
          counters.dropped++;
          log.warn('alert queue full, delivery dropped', {
            channel: channel.name,
            type: event.type,
            tenantId: event.tenantId,
          });
          continue;
        }
        pending++;
        accepted++;
        ready.push({ event, channel, attempt: 1 });
      }
      if (accepted > 0) queueMicrotask(pump);
    } catch (err) {
      log.error('alert emit failed', { err: String(err) });
    }
  }

  function flush(): Promise<void> {
    if (pending === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  return {
    channels,
    emit,
    onSpan(span) {
      try {
        for (const e of findingAlerts(span, findingSeverity)) emit(e);
      } catch (err) {
        log.error('alert onSpan failed', { err: String(err) });
      }
    },
    flush,
    async close(timeoutMs = 10_000) {
      closed = true;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      await Promise.race([flush(), deadline]);
      clearTimeout(timer);
      // Whatever still waits for a retry is given up on, and counted.
      const left = ready.splice(0);
      for (const [t, job] of retrying) {
        clearTimeout(t);
        left.push(job);
      }
      retrying.clear();
      for (const job of left) settle(job, false, 'closed');
    },
    stats() {
      return { queued: pending, ...counters };
    },
  };
}
