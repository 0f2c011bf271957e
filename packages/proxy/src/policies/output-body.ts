import type { TextGuard } from './text-guard.js';

type Json = Record<string, unknown>;

function guardWhole(text: string, newGuard: () => TextGuard): { text: string; blocked: boolean } {
  const g = newGuard();
  const a = g.push(text);
  if (a.blocked) return { text: '', blocked: true };
  const b = g.flush();
  if (b.blocked) return { text: '', blocked: true };
  return { text: a.text + b.text, blocked: false };
}

/**
 * Output guard for a whole (non-streaming) JSON body: OpenAI chat `choices[].message.content` or
 * Anthropic `content[].text`. Redactions are applied in place; a block empties the content and
 * sets `finish_reason: "content_filter"` (OpenAI) or `stop_reason: "refusal"` (Anthropic).
 * Returns `undefined` when nothing changed.
 */
export function guardJsonBody(body: Buffer, formatId: string, newGuard: () => TextGuard): Buffer | undefined {
  return guardJsonBodyResult(body, formatId, newGuard)?.body;
}

/** {@link guardJsonBody}, also telling whether the guard blocked (for the span's status). */
export function guardJsonBodyResult(
  body: Buffer,
  formatId: string,
  newGuard: () => TextGuard,
): { body: Buffer; blocked: boolean } | undefined {
  let obj: Json;
  try {
    obj = JSON.parse(body.toString('utf8')) as Json;
  } catch {
    return undefined;
  }
  let changed = false;
  let blocked = false;
  if (formatId === 'openai.chat' && Array.isArray(obj.choices)) {
    for (const c of obj.choices as Json[]) {
      const m = c.message as Json | undefined;
      if (typeof m?.content !== 'string') continue;
      const r = guardWhole(m.content, newGuard);
      if (r.blocked) {
        m.content = '';
        c.finish_reason = 'content_filter';
        changed = true;
        blocked = true;
      } else if (r.text !== m.content) {
        m.content = r.text;
        changed = true;
      }
    }
  } else if (formatId === 'anthropic.messages' && Array.isArray(obj.content)) {
    const parts = obj.content as Json[];
    for (const p of parts) {
      if (p.type !== 'text' || typeof p.text !== 'string') continue;
      const r = guardWhole(p.text, newGuard);
      if (r.blocked) {
        obj.content = [];
        obj.stop_reason = 'refusal';
        changed = true;
        blocked = true;
        break;
      }
      if (r.text !== p.text) {
        p.text = r.text;
        changed = true;
      }
    }
  }
  return changed ? { body: Buffer.from(JSON.stringify(obj), 'utf8'), blocked } : undefined;
}
