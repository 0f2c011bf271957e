import type { PromptMessage, ToolCall } from '@llmtrace/core';
import type { ParsedResponse, SseEvent, StreamParser } from './types.js';

/** A plain object view of an unknown JSON value (empty object for anything else). */
export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The value as an array (empty for anything else). */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value when it is a string. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The value when it is a finite number. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Parse an SSE `data:` payload as JSON; `undefined` for `[DONE]`, keep-alives and broken JSON. */
export function eventJson(event: SseEvent): Record<string, unknown> | undefined {
  const data = event.data.trim();
  if (data === '' || data === '[DONE]') return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    // A truncated or garbled event: skip it, the rest of the stream still counts.
    return undefined;
  }
}

/**
 * Placeholder recorded for a non-text content part. Images, audio and files are noted, never
 * stored inline (they can be megabytes of base64 and are not analysed as text).
 */
export function partPlaceholder(type: string): string {
  if (type.includes('image')) return '[image]';
  if (type.includes('audio')) return '[audio]';
  if (type.includes('file') || type.includes('document')) return '[file]';
  return `[${type || 'part'}]`;
}

/**
 * Flatten a content value (a string, or an array of typed parts as OpenAI and Anthropic send) to
 * text: text parts are kept, refusals are kept, other parts become placeholders.
 */
export function flattenContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const out: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') {
      out.push(part);
      continue;
    }
    const p = obj(part);
    const type = str(p.type) ?? '';
    const text = str(p.text) ?? str(p.refusal);
    if (text !== undefined && (type === '' || type.endsWith('text') || type === 'refusal')) out.push(text);
    else out.push(partPlaceholder(type));
  }
  return out.join('\n');
}

/** Render tool calls made earlier in a conversation so they stay visible in the recorded prompt. */
export function describeToolCalls(calls: readonly ToolCall[]): string {
  return calls.map((c) => `[tool_call ${c.name}(${c.arguments})]`).join('\n');
}

/** Join the system/developer messages' text, or `undefined` when there are none. */
export function systemText(messages: readonly PromptMessage[]): string | undefined {
  const parts = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content);
  return parts.length > 0 ? parts.join('\n') : undefined;
}

/** Copy the listed keys that are present (and not null) from a request body. */
export function pickParams(body: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const k of keys) if (body[k] !== undefined && body[k] !== null) params[k] = body[k];
  return params;
}

/** The error message of an `{ error: { message } }` or `{ error: "..." }` body, if any. */
export function errorMessage(body: Record<string, unknown>): string | undefined {
  const e = body.error;
  if (typeof e === 'string') return e;
  const o = obj(e);
  return str(o.message) ?? (Object.keys(o).length > 0 ? JSON.stringify(o) : undefined);
}

/** A stream parser for responses that are never streamed (embeddings). */
export function createNullStreamParser(): StreamParser {
  return { push: () => false, result: (): ParsedResponse => ({ text: '', toolCalls: [] }) };
}
