import type { Severity } from '@llmtrace/core';
import { alertSummary, traceLink } from './format.js';
import { type HttpPostOptions, postForDelivery } from './http.js';
import type { AlertChannel, AlertEvent, AlertFilter } from './types.js';

/** Options of {@link createSlackChannel}. */
export interface SlackChannelOptions extends AlertFilter, HttpPostOptions {
  /** Slack incoming-webhook URL (it embeds a token: it is never logged). */
  webhookUrl: string;
  /** Channel name in logs and stats. Default `slack`. */
  name?: string;
  /** Base URL of the LLMTrace UI; adds an "Open trace" button. */
  uiBaseUrl?: string;
}

/** A Slack Block Kit message (only the parts LLMTrace uses). */
export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

const MAX_DETAIL_LINES = 8;

/** Escape the three characters Slack mrkdwn treats as control characters. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function detailValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  return JSON.stringify(value);
}

/**
 * Render an event as a Block Kit message: header with severity, fields for tenant, type,
 * severity, model (and agent / trace when known), up to eight detail lines, and an "Open trace"
 * button when `uiBaseUrl` and a trace id are both known.
 */
export function slackMessage(event: AlertEvent, uiBaseUrl?: string): SlackMessage {
  const icon = event.resolved ? ':white_check_mark:' : EMOJI[event.severity];
  const summary = alertSummary(event);
  const fields: Array<[string, string | undefined]> = [
    ['Tenant', event.tenantId],
    ['Type', event.type],
    ['Severity', event.severity],
    ['Model', event.model || '—'],
    ['Agent', event.agentId],
    ['Trace', event.traceId],
  ];
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${icon} ${summary}`, 150), emoji: true } },
    {
      type: 'section',
      fields: fields
        .filter((f): f is [string, string] => f[1] !== undefined)
        .map(([k, v]) => ({ type: 'mrkdwn', text: clip(`*${k}*\n${esc(v)}`, 2000) })),
    },
  ];
  const details = Object.entries(event.details).slice(0, MAX_DETAIL_LINES);
  if (details.length > 0) {
    const lines = details.map(([k, v]) => `• *${esc(k)}*: ${esc(clip(detailValue(v), 300))}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), 3000) } });
  }
  const url = traceLink(uiBaseUrl, event.traceId);
  if (url) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open trace' }, url }],
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `LLMTrace · ${new Date(event.time).toISOString()} · ${esc(event.id)}` },
    ],
  });
  // `text` is the notification / fallback line.
  const text = `${event.resolved ? 'Resolved' : event.severity.toUpperCase()}: ${summary} (tenant ${event.tenantId})`;
  return { text: esc(text), blocks };
}

/**
 * Slack incoming webhook with a readable Block Kit message.
 *
 * @example createSlackChannel({ webhookUrl: process.env.SLACK_WEBHOOK!, minSeverity: 'high', uiBaseUrl })
 */
export function createSlackChannel(options: SlackChannelOptions): AlertChannel {
  const name = options.name ?? 'slack';
  const filter: AlertFilter = {
    minSeverity: options.minSeverity,
    eventTypes: options.eventTypes,
    tenants: options.tenants,
  };
  return {
    name,
    filter,
    async send(event) {
      await postForDelivery(
        name,
        options.webhookUrl,
        JSON.stringify(slackMessage(event, options.uiBaseUrl)),
        {},
        options,
      );
    },
  };
}
