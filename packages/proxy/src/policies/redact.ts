import type { Finding, PromptMessage } from '@llmtrace/core';
import { placeholder } from './actions.js';

/** Body fields that carry prompt text, across the understood APIs. */
const TEXT_ROOTS = ['messages', 'system', 'prompt', 'input', 'instructions'] as const;

/** One exact text to replace, with its placeholder. */
export interface Replacement {
  text: string;
  with: string;
}

/**
 * The texts to redact, taken from each finding's offsets in the parsed message it points at
 * (`messageIndex`), longest first so an overlapping shorter match cannot split a longer one.
 */
export function replacementsFor(
  findings: readonly Finding[],
  messages: readonly PromptMessage[],
): Replacement[] | undefined {
  const out = new Map<string, string>();
  for (const f of findings) {
    const loc = f.location;
    if (!loc) return undefined;
    const content = messages[loc.messageIndex ?? 0]?.content;
    const text = content?.slice(loc.start, loc.end);
    if (!text) return undefined;
    if (!out.has(text)) out.set(text, placeholder(f.type));
  }
  return [...out.entries()].sort((a, b) => b[0].length - a[0].length).map(([text, w]) => ({ text, with: w }));
}

function replaceIn(s: string, list: readonly Replacement[], hits: Set<string>): string {
  let out = s;
  for (const r of list) {
    if (!out.includes(r.text)) continue;
    hits.add(r.text);
    out = out.split(r.text).join(r.with);
  }
  return out;
}

function walk(value: unknown, list: readonly Replacement[], hits: Set<string>): unknown {
  if (typeof value === 'string') return replaceIn(value, list, hits);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = walk(value[i], list, hits);
    return value;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      // Only text: ids, roles, image data and tool schemas stay as they are.
      if (
        k === 'text' ||
        k === 'content' ||
        k === 'input' ||
        k === 'arguments' ||
        k === 'system' ||
        k === 'prompt' ||
        k === 'instructions' ||
        typeof o[k] === 'object'
      ) {
        o[k] = walk(o[k], list, hits);
      }
    }
  }
  return value;
}

/**
 * Replace every occurrence of the given texts in the prompt fields of a request body, in place
 * (string contents and content-part arrays alike). The parsed messages flatten content arrays, so
 * the raw body is matched by text rather than by offset. Returns the texts that were not found.
 */
export function redactBody(body: Record<string, unknown>, list: readonly Replacement[]): string[] {
  const hits = new Set<string>();
  for (const root of TEXT_ROOTS) if (root in body) body[root] = walk(body[root], list, hits);
  return list.filter((r) => !hits.has(r.text)).map((r) => r.text);
}
