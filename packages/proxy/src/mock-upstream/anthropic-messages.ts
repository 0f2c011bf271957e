import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MockTool, mockId, mockToolArguments, pieces } from './tool-args.js';
import type { MockHandler } from './types.js';
import { defaultReply, fakeTokens, sendJson, sleep, splitDeltas, startSse } from './util.js';

interface MessagesBody {
  model?: string;
  stream?: boolean;
  system?: unknown;
  messages?: Array<{ role?: string; content?: unknown }>;
  tools?: Array<{ name?: string; input_schema?: Record<string, unknown> }>;
}

type Block = Record<string, unknown>;

function blocksOf(content: unknown): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? (content.filter((b) => b && typeof b === 'object') as Block[]) : [];
}

function headerNumber(req: IncomingMessage, name: string): number {
  const v = Number(req.headers[name]);
  return Number.isFinite(v) && v >= 0 ? v : 0;
}

function writeEvent(res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

/**
 * Anthropic `POST /v1/messages`: a `message` body or the event stream (message_start,
 * content_block_start/delta/stop, ping, message_delta, message_stop). Requires the
 * `anthropic-version` header like the real API. With tools and no `tool_result` yet, the fake
 * model answers with a short text block and a `tool_use` block. `x-mock-cache-read-tokens` and
 * `x-mock-cache-creation-tokens` set the prompt-cache usage fields.
 */
export const anthropicMessagesHandler: MockHandler = {
  match: (method, path) => method === 'POST' && /\/messages$/.test(path),
  async handle(req, res, raw, controls) {
    if (!req.headers['anthropic-version']) {
      sendJson(res, 400, {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
      });
      return;
    }
    const body = (raw ?? {}) as MessagesBody;
    const messages = body.messages ?? [];
    const last = messages[messages.length - 1];
    const lastBlocks = blocksOf(last?.content);
    const answered = lastBlocks.some((b) => b.type === 'tool_result');
    const fn = body.tools?.find((t) => t.name);
    const tool: MockTool | undefined =
      fn?.name && !answered ? { name: fn.name, parameters: fn.input_schema ?? {} } : undefined;
    const userText = lastBlocks.map((b) => (typeof b.text === 'string' ? b.text : '')).join(' ');
    const text = tool ? `I'll use the ${tool.name} tool.` : (controls.content ?? defaultReply(userText));
    const input = tool ? mockToolArguments(req, tool) : undefined;
    const args = input ? JSON.stringify(input) : '';
    const model = body.model ?? 'claude-sonnet-4-5-20250929';
    const id = mockId('msg_mock');
    const toolId = mockId('toolu_mock');
    const cacheRead = headerNumber(req, 'x-mock-cache-read-tokens');
    const cacheCreation = headerNumber(req, 'x-mock-cache-creation-tokens');
    const inputTokens = fakeTokens(JSON.stringify(body.system ?? '') + JSON.stringify(messages));
    const outputTokens = fakeTokens(text + args);
    const stopReason = tool ? 'tool_use' : 'end_turn';
    const content: Block[] = [{ type: 'text', text }];
    if (tool) content.push({ type: 'tool_use', id: toolId, name: tool.name, input });
    const usage = {
      input_tokens: inputTokens,
      cache_creation_input_tokens: cacheCreation,
      cache_read_input_tokens: cacheRead,
      output_tokens: outputTokens,
    };
    await sleep(controls.delayMs);
    if (!body.stream) {
      sendJson(res, 200, {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      });
      return;
    }
    startSse(res);
    writeEvent(res, 'message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    });
    writeEvent(res, 'content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    writeEvent(res, 'ping', {});
    for (const delta of splitDeltas(text)) {
      await sleep(controls.chunkDelayMs);
      if (res.destroyed) return;
      writeEvent(res, 'content_block_delta', { index: 0, delta: { type: 'text_delta', text: delta } });
    }
    writeEvent(res, 'content_block_stop', { index: 0 });
    if (tool) {
      writeEvent(res, 'content_block_start', {
        index: 1,
        content_block: { type: 'tool_use', id: toolId, name: tool.name, input: {} },
      });
      for (const p of pieces(args, 8)) {
        await sleep(controls.chunkDelayMs);
        if (res.destroyed) return;
        writeEvent(res, 'content_block_delta', {
          index: 1,
          delta: { type: 'input_json_delta', partial_json: p },
        });
      }
      writeEvent(res, 'content_block_stop', { index: 1 });
    }
    writeEvent(res, 'message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    });
    writeEvent(res, 'message_stop', {});
    res.end();
  },
};
