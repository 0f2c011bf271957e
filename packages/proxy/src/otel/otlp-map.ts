import type { PromptMessage, Span, SpanStatus, ToolCall } from '@llmtrace/core';
import { fromSemconvMessages, GENAI, operationFromSemconv } from './genai.js';
import type { OtlpSpanRecord } from './otlp-decode.js';

const GENAI_MARKERS = [GENAI.operationName, GENAI.providerName, GENAI.system, GENAI.requestModel];

/** Whether an OTLP span is a GenAI call (carries any of the GenAI identifying attributes). */
export function isGenAiSpan(s: OtlpSpanRecord): boolean {
  return GENAI_MARKERS.some((k) => s.attributes[k] !== undefined);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** OpenLLMetry-style indexed attributes: `gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, … */
function indexedMessages(attrs: Record<string, unknown>, prefix: string): PromptMessage[] {
  const out: PromptMessage[] = [];
  for (let i = 0; i < 1000; i++) {
    const content = attrs[`${prefix}.${i}.content`];
    const role = attrs[`${prefix}.${i}.role`];
    if (content === undefined && role === undefined) break;
    out.push({
      role: str(role) ?? 'user',
      content: typeof content === 'string' ? content : JSON.stringify(content ?? ''),
    });
  }
  return out;
}

/** Prompt messages from the current attribute, older events, or indexed attributes (first found wins). */
function promptOf(s: OtlpSpanRecord): PromptMessage[] {
  const system = s.attributes['gen_ai.system_instructions'];
  const sys =
    system === undefined
      ? []
      : fromSemconvMessages(
          typeof system === 'string' && !system.startsWith('[')
            ? [{ role: 'system', content: system }]
            : system,
        ).messages.map((m) => ({ ...m, role: 'system' }));
  const current = s.attributes[GENAI.inputMessages];
  if (current !== undefined) return [...sys, ...fromSemconvMessages(current).messages];
  const ev = s.events.find((e) => e.name === 'gen_ai.content.prompt');
  if (ev) return [...sys, ...fromSemconvMessages(ev.attributes['gen_ai.prompt']).messages];
  // Per-message events of the older conventions: gen_ai.system.message, gen_ai.user.message, …
  const perMessage = s.events.filter((e) => /^gen_ai\.(system|user|assistant|tool)\.message$/.test(e.name));
  if (perMessage.length > 0) {
    return [
      ...sys,
      ...perMessage.map((e) => ({
        role: e.name.split('.')[1] ?? 'user',
        content: str(e.attributes.content) ?? '',
      })),
    ];
  }
  return [...sys, ...indexedMessages(s.attributes, 'gen_ai.prompt')];
}

function responseOf(s: OtlpSpanRecord): { text: string; toolCalls: ToolCall[] } {
  const current = s.attributes[GENAI.outputMessages];
  let parsed: { messages: PromptMessage[]; toolCalls: ToolCall[] } | undefined;
  if (current !== undefined) parsed = fromSemconvMessages(current);
  else {
    const ev = s.events.find((e) => e.name === 'gen_ai.content.completion');
    if (ev) parsed = fromSemconvMessages(ev.attributes['gen_ai.completion']);
    else {
      const choice = s.events.find((e) => e.name === 'gen_ai.choice');
      if (choice)
        parsed = {
          messages: [
            {
              role: 'assistant',
              content: str(choice.attributes.message) ?? str(choice.attributes.content) ?? '',
            },
          ],
          toolCalls: [],
        };
      else parsed = { messages: indexedMessages(s.attributes, 'gen_ai.completion'), toolCalls: [] };
    }
  }
  return {
    text: parsed.messages
      .map((m) => m.content)
      .filter(Boolean)
      .join('\n'),
    toolCalls: parsed.toolCalls,
  };
}

function nanosToMs(ns: string): number {
  // Nanosecond epochs exceed 2^53; divide as a bigint to keep millisecond precision.
  try {
    return Number(BigInt(ns) / 1_000_000n);
  } catch {
    return 0;
  }
}

/**
 * Map one GenAI OTLP span onto an LLMTrace span (before the security scan). Reads current and
 * older semantic-convention names: `gen_ai.provider.name`/`gen_ai.system`,
 * `gen_ai.usage.input_tokens`/`prompt_tokens`, content from `gen_ai.input.messages`/
 * `gen_ai.output.messages` or the `gen_ai.content.prompt`/`gen_ai.content.completion` events.
 */
export function otlpToSpan(s: OtlpSpanRecord, tenantId: string): Span {
  const a = s.attributes;
  const startTime = nanosToMs(s.startTimeUnixNano);
  const endTime = Math.max(startTime, nanosToMs(s.endTimeUnixNano));
  const input = num(a[GENAI.inputTokens]) ?? num(a[GENAI.promptTokens]);
  const output = num(a[GENAI.outputTokens]) ?? num(a[GENAI.completionTokens]);
  const finish = a[GENAI.finishReasons];
  const httpStatus = num(a['http.response.status_code']);
  const errorType = str(a['error.type']);
  const isError =
    s.statusCode === 2 || errorType !== undefined || (httpStatus !== undefined && httpStatus >= 400);
  const status: SpanStatus = isError ? 'error' : 'ok';
  const ttft = num(a[GENAI.timeToFirstChunk]);
  const { text, toolCalls } = responseOf(s);
  const tags: Record<string, string> = { 'llmtrace.source': 'otlp' };
  const service = str(s.resource['service.name']);
  if (service) tags['service.name'] = service;
  if (s.name) tags['otel.span_name'] = s.name;
  const params: Record<string, unknown> = {};
  for (const [k, key] of [
    ['temperature', GENAI.temperature],
    ['max_tokens', GENAI.maxTokens],
    ['top_p', GENAI.topP],
  ] as const) {
    const v = num(a[key]);
    if (v !== undefined) params[k] = v;
  }
  const span: Span = {
    traceId: s.traceId,
    spanId: s.spanId,
    tenantId,
    operation: operationFromSemconv(str(a[GENAI.operationName])),
    provider: str(a[GENAI.providerName]) ?? str(a[GENAI.system]) ?? 'unknown',
    model: str(a[GENAI.requestModel]) ?? str(a[GENAI.responseModel]) ?? '',
    startTime,
    endTime,
    durationMs: endTime - startTime,
    stream: ttft !== undefined,
    statusCode: httpStatus ?? (isError ? 500 : 200),
    status,
    promptTokens: input ?? 0,
    completionTokens: output ?? 0,
    totalTokens: (input ?? 0) + (output ?? 0),
    usageSource: input !== undefined || output !== undefined ? 'upstream' : 'none',
    securityScore: 0,
    findings: [],
    prompt: promptOf(s),
    response: text,
    toolCalls,
    tags,
  };
  if (s.parentSpanId) span.parentSpanId = s.parentSpanId;
  const responseModel = str(a[GENAI.responseModel]);
  if (responseModel) span.responseModel = responseModel;
  const agent = str(a[GENAI.agentId]) ?? str(a['gen_ai.agent.name']);
  if (agent) span.agentId = agent;
  const conversation = str(a[GENAI.conversationId]);
  if (conversation) span.sessionId = conversation;
  if (ttft !== undefined) span.ttftMs = Math.round(ttft * 1000);
  if (Array.isArray(finish) && typeof finish[0] === 'string') span.finishReason = finish[0];
  if (isError) span.error = s.statusMessage ?? errorType ?? `status ${span.statusCode}`;
  if (Object.keys(params).length > 0) span.params = params;
  const cached = num(a['gen_ai.usage.cache_read.input_tokens']);
  if (cached !== undefined) span.cachedTokens = cached;
  return span;
}
