import type { PromptMessage } from '@llmtrace/core';
import type { MessageInput } from './types.js';

/** Flatten OpenAI-style content (a string or an array of parts) to text; non-text parts become a marker. */
export function contentToText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) return JSON.stringify(content);
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') parts.push(part);
    else if (part && typeof part === 'object') {
      const p = part as { type?: unknown; text?: unknown; refusal?: unknown };
      if (typeof p.text === 'string') parts.push(p.text);
      else if (typeof p.refusal === 'string') parts.push(p.refusal);
      else parts.push(`[${typeof p.type === 'string' ? p.type : 'part'}]`);
    }
  }
  return parts.join('\n');
}

/** Turn a prompt string or message list into the span's `PromptMessage[]`. */
export function toPromptMessages(input: string | readonly MessageInput[]): PromptMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  return input.map((m) => {
    const msg: PromptMessage = { role: String(m.role), content: contentToText(m.content) };
    if (typeof m.name === 'string') msg.name = m.name;
    const toolCallId = m.toolCallId ?? m.tool_call_id;
    if (typeof toolCallId === 'string') msg.toolCallId = toolCallId;
    return msg;
  });
}
