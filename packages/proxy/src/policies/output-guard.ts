import type { Scanner } from '@llmtrace/security';
import type { PolicyContext, PolicyDecision, RequestPolicy } from '../pipeline/policy.js';
import type { EventRewriter } from '../pipeline/tee.js';
import type { SseEvent } from '../providers/types.js';
import { guardJsonBodyResult } from './output-body.js';
import { type TenantOverrides, withTenantPolicy } from './overrides.js';
import { createTextGuard, type TextGuard, type TextGuardOptions, type TextScan } from './text-guard.js';
import type { EnforcementRule, TenantPolicy } from './types.js';

type Json = Record<string, unknown>;

function parse(data: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(data);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Output guard for OpenAI chat-completion streams: each choice's `delta.content` goes through a
 * {@link TextGuard}. `redact` rewrites chunks in flight; `block` ends the stream with a final chunk
 * (`finish_reason: "content_filter"`) and `data: [DONE]`.
 */
export function createOpenAIChatGuard(newGuard: () => TextGuard): EventRewriter {
  const guards = new Map<number, TextGuard>();
  let base: Json = { object: 'chat.completion.chunk' };
  let stopped = false;
  const guardOf = (i: number): TextGuard => {
    let g = guards.get(i);
    if (!g) {
      g = newGuard();
      guards.set(i, g);
    }
    return g;
  };
  const chunk = (choices: Json[]): SseEvent => ({
    data: JSON.stringify({
      id: base.id,
      object: 'chat.completion.chunk',
      created: base.created,
      model: base.model,
      choices,
    }),
  });
  const stop = (): SseEvent[] => {
    stopped = true;
    const indices = guards.size > 0 ? [...guards.keys()] : [0];
    return [
      chunk(indices.map((index) => ({ index, delta: {}, finish_reason: 'content_filter' }))),
      { data: '[DONE]' },
    ];
  };
  const flushAll = (): SseEvent[] | undefined => {
    const choices: Json[] = [];
    for (const [index, g] of guards) {
      const r = g.flush();
      if (r.blocked) return stop();
      if (r.text) choices.push({ index, delta: { content: r.text }, finish_reason: null });
    }
    return choices.length > 0 ? [chunk(choices)] : [];
  };
  return {
    push(ev) {
      if (stopped) return [];
      if (ev.data.trim() === '[DONE]') return [...(flushAll() ?? []), ev];
      const obj = parse(ev.data);
      const choices = obj?.choices;
      if (!obj || !Array.isArray(choices)) return [ev];
      base = { id: obj.id, created: obj.created, model: obj.model };
      let changed = false;
      for (const c of choices as Json[]) {
        const index = typeof c.index === 'number' ? c.index : 0;
        const delta = (c.delta ?? {}) as Json;
        let text = '';
        if (typeof delta.content === 'string') {
          const r = guardOf(index).push(delta.content);
          if (r.blocked) return stop();
          text = r.text;
          changed = changed || text !== delta.content;
        }
        if (c.finish_reason !== null && c.finish_reason !== undefined) {
          const r = guardOf(index).flush();
          if (r.blocked) return stop();
          text += r.text;
          changed = changed || r.text.length > 0;
        }
        if (typeof delta.content === 'string' || text) {
          delta.content = text;
          c.delta = delta;
        }
      }
      return changed ? [{ event: ev.event, data: JSON.stringify(obj) }] : [ev];
    },
    end() {
      return stopped ? [] : (flushAll() ?? []);
    },
    stopped: () => stopped,
  };
}

/**
 * Output guard for Anthropic message streams: `content_block_delta` text goes through a
 * {@link TextGuard}; `block` ends the message with `stop_reason: "refusal"` and `message_stop`.
 */
export function createAnthropicGuard(newGuard: () => TextGuard): EventRewriter {
  const guards = new Map<number, TextGuard>();
  let stopped = false;
  const delta = (index: number, text: string): SseEvent => ({
    event: 'content_block_delta',
    data: JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }),
  });
  const stop = (index: number): SseEvent[] => {
    stopped = true;
    return [
      { event: 'content_block_stop', data: JSON.stringify({ type: 'content_block_stop', index }) },
      {
        event: 'message_delta',
        data: JSON.stringify({
          type: 'message_delta',
          delta: { stop_reason: 'refusal', stop_sequence: null },
          usage: { output_tokens: 0 },
        }),
      },
      { event: 'message_stop', data: JSON.stringify({ type: 'message_stop' }) },
    ];
  };
  return {
    push(ev) {
      if (stopped) return [];
      const obj = parse(ev.data);
      if (!obj) return [ev];
      const index = typeof obj.index === 'number' ? obj.index : 0;
      const d = obj.delta as Json | undefined;
      if (obj.type === 'content_block_delta' && d?.type === 'text_delta' && typeof d.text === 'string') {
        let g = guards.get(index);
        if (!g) {
          g = newGuard();
          guards.set(index, g);
        }
        const r = g.push(d.text);
        if (r.blocked) return stop(index);
        if (r.text === d.text) return [ev];
        d.text = r.text;
        return [{ event: ev.event, data: JSON.stringify(obj) }];
      }
      if (obj.type === 'content_block_stop' || obj.type === 'message_delta' || obj.type === 'message_stop') {
        const out: SseEvent[] = [];
        for (const [i, g] of guards) {
          if (obj.type === 'content_block_stop' && i !== index) continue;
          const r = g.flush();
          if (r.blocked) return stop(i);
          if (r.text) out.push(delta(i, r.text));
        }
        return [...out, ev];
      }
      return [ev];
    },
    end() {
      if (stopped) return [];
      const out: SseEvent[] = [];
      for (const [i, g] of guards) {
        const r = g.flush();
        if (r.blocked) return stop(i);
        if (r.text) out.push(delta(i, r.text));
      }
      return out;
    },
    stopped: () => stopped,
  };
}

/** Options for {@link createOutputGuardPolicy}. */
export interface OutputGuardPolicyOptions extends Omit<TextGuardOptions, 'scan' | 'rules'> {
  scanner: Scanner;
  /** Actions per finding type in responses (e.g. `secret.*` → redact, `leak.system_prompt` → block). */
  rules: readonly EnforcementRule[];
  overrides?: TenantOverrides;
}

/**
 * The streaming output guard as a policy: OpenAI chat and Anthropic message responses are scanned
 * as they stream (redact in flight, or stop cleanly on a block), and non-streaming JSON bodies get
 * the same treatment. Skipped for tenants whose monitoring scope is `input_only`.
 *
 * @example
 * createOutputGuardPolicy({ scanner, rules: [{ match: 'secret.*', action: 'redact' }, { match: 'leak.*', action: 'block' }] });
 */
export function createOutputGuardPolicy(options: OutputGuardPolicyOptions): RequestPolicy {
  // Whether any rule redacts or blocks depends on the options only (tenants cannot change them).
  const guards = options.rules.some((r) => r.action === 'redact' || r.action === 'block');
  const decide = (context: PolicyContext, tenant: TenantPolicy | undefined): PolicyDecision | undefined => {
    const id = context.format?.id;
    if ((id !== 'openai.chat' && id !== 'anthropic.messages') || tenant?.monitoringScope === 'input_only')
      return undefined;
    // Output rules are the guard's own: a tenant's input enforcement override does not loosen them.
    const rules = options.rules;
    const systemPrompt = context.request?.systemPrompt;
    const scan: TextScan = (text) => options.scanner.scanResponse(text, { systemPrompt }).findings;
    const newGuard = (): TextGuard => createTextGuard({ ...options, scan, rules });
    return {
      streamRewriter: () =>
        id === 'openai.chat' ? createOpenAIChatGuard(newGuard) : createAnthropicGuard(newGuard),
      bodyRewriter: (body, contentType) =>
        contentType.includes('json') ? guardJsonBodyResult(body, id, newGuard) : undefined,
    };
  };
  return {
    name: 'output-guard',
    check(context) {
      const id = context.format?.id;
      if (!guards || (id !== 'openai.chat' && id !== 'anthropic.messages')) return undefined;
      return withTenantPolicy(context, options.overrides, decide);
    },
  };
}
