import type { ServerResponse } from 'node:http';
import { type MockTool, mockId, mockToolArguments, pieces } from './tool-args.js';
import type { MockHandler } from './types.js';
import { defaultReply, fakeTokens, sendJson, sleep, splitDeltas, startSse } from './util.js';

interface ResponsesBody {
  model?: string;
  stream?: boolean;
  instructions?: string;
  input?: unknown;
  tools?: Array<{ type?: string; name?: string; parameters?: Record<string, unknown> }>;
}

function inputItems(input: unknown): Array<Record<string, unknown>> {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  return Array.isArray(input)
    ? (input.filter((x) => x && typeof x === 'object') as Array<Record<string, unknown>>)
    : [];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (p && typeof p === 'object' && typeof p.text === 'string' ? p.text : ''))
    .join(' ');
}

function writeEvent(
  res: ServerResponse,
  seq: { n: number },
  type: string,
  data: Record<string, unknown>,
): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq.n++, ...data })}\n\n`);
}

/**
 * OpenAI `POST /v1/responses`: a `response` object, or the typed event stream (response.created …
 * response.output_text.delta … response.completed; no `[DONE]`). With function tools and no
 * `function_call_output` in the input, the fake model calls the first tool.
 */
export const openaiResponsesHandler: MockHandler = {
  match: (method, path) => method === 'POST' && /\/responses$/.test(path),
  async handle(req, res, raw, controls) {
    const body = (raw ?? {}) as ResponsesBody;
    const items = inputItems(body.input);
    const fn = body.tools?.find((t) => t.type === 'function' && t.name);
    const answered = items.some((i) => i.type === 'function_call_output');
    const tool: MockTool | undefined =
      fn?.name && !answered ? { name: fn.name, parameters: fn.parameters ?? {} } : undefined;
    const lastUser = [...items]
      .reverse()
      .find((i) => (i.role ?? 'user') === 'user' && (i.type === undefined || i.type === 'message'));
    const text = tool ? '' : (controls.content ?? defaultReply(textOf(lastUser?.content)));
    const args = tool ? JSON.stringify(mockToolArguments(req, tool)) : '';
    const model = body.model ?? 'gpt-4o-mini';
    const id = mockId('resp_mock');
    const itemId = mockId(tool ? 'fc_mock' : 'msg_mock');
    const callId = mockId('call_mock');
    const inputTokens = fakeTokens((body.instructions ?? '') + JSON.stringify(body.input ?? ''));
    const outputTokens = tool ? fakeTokens(tool.name + args) : fakeTokens(text);
    const usage = {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    };
    const part = { type: 'output_text', text, annotations: [], logprobs: [] };
    const finalItem = tool
      ? {
          id: itemId,
          type: 'function_call',
          status: 'completed',
          call_id: callId,
          name: tool.name,
          arguments: args,
        }
      : { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [part] };
    const response = (status: string, done: boolean) => ({
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status,
      error: null,
      incomplete_details: null,
      instructions: body.instructions ?? null,
      max_output_tokens: null,
      model,
      output: done ? [finalItem] : [],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: true,
      temperature: 1,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: body.tools ?? [],
      top_p: 1,
      truncation: 'disabled',
      usage: done && !controls.noUsage ? usage : null,
      user: null,
      metadata: {},
    });
    await sleep(controls.delayMs);
    if (!body.stream) {
      sendJson(res, 200, response('completed', true));
      return;
    }
    const seq = { n: 0 };
    startSse(res);
    writeEvent(res, seq, 'response.created', { response: response('in_progress', false) });
    writeEvent(res, seq, 'response.in_progress', { response: response('in_progress', false) });
    if (tool) {
      writeEvent(res, seq, 'response.output_item.added', {
        output_index: 0,
        item: { ...finalItem, status: 'in_progress', arguments: '' },
      });
      for (const p of pieces(args, 8)) {
        await sleep(controls.chunkDelayMs);
        if (res.destroyed) return;
        writeEvent(res, seq, 'response.function_call_arguments.delta', {
          item_id: itemId,
          output_index: 0,
          delta: p,
        });
      }
      writeEvent(res, seq, 'response.function_call_arguments.done', {
        item_id: itemId,
        output_index: 0,
        arguments: args,
      });
    } else {
      writeEvent(res, seq, 'response.output_item.added', {
        output_index: 0,
        item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
      });
      writeEvent(res, seq, 'response.content_part.added', {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: { ...part, text: '' },
      });
      for (const delta of splitDeltas(text)) {
        await sleep(controls.chunkDelayMs);
        if (res.destroyed) return;
        writeEvent(res, seq, 'response.output_text.delta', {
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          delta,
          logprobs: [],
        });
      }
      writeEvent(res, seq, 'response.output_text.done', {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        text,
        logprobs: [],
      });
      writeEvent(res, seq, 'response.content_part.done', {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part,
      });
    }
    writeEvent(res, seq, 'response.output_item.done', { output_index: 0, item: finalItem });
    writeEvent(res, seq, 'response.completed', { response: response('completed', true) });
    res.end();
  },
};
