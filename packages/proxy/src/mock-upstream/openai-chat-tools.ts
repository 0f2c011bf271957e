import { openaiChatHandler } from './openai-chat.js';
import { endsWithToolResult, type MockTool, mockId, mockToolArguments, pieces } from './tool-args.js';
import type { MockHandler } from './types.js';
import { fakeTokens, sendJson, sleep, startSse, writeSse } from './util.js';

interface ToolsBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role?: string; content?: unknown }>;
  tools?: Array<{ type?: string; function?: { name?: string; parameters?: Record<string, unknown> } }>;
}

/**
 * OpenAI chat completions with `tools`: the fake model calls the first tool (`tool_calls`,
 * `finish_reason: "tool_calls"`, arguments streamed in fragments as OpenAI does), and answers in
 * text once the conversation ends with a tool result. Requests without tools go to the plain chat
 * handler.
 */
export const openaiChatToolsHandler: MockHandler = {
  match: openaiChatHandler.match,
  async handle(req, res, raw, controls) {
    const body = (raw ?? {}) as ToolsBody;
    const fn = body.tools?.find((t) => t.function?.name)?.function;
    const roles = (body.messages ?? []).map((m) => m.role ?? '');
    if (!fn?.name || endsWithToolResult(roles)) return openaiChatHandler.handle(req, res, raw, controls);
    const tool: MockTool = { name: fn.name, parameters: fn.parameters ?? {} };
    const args = JSON.stringify(mockToolArguments(req, tool));
    const model = body.model ?? 'gpt-4o-mini';
    const id = mockId('chatcmpl-mock');
    const callId = mockId('call_mock');
    const created = Math.floor(Date.now() / 1000);
    const promptTokens =
      3 + (body.messages ?? []).reduce((n, m) => n + 3 + fakeTokens(JSON.stringify(m.content ?? '')), 0);
    const completionTokens = fakeTokens(tool.name + args);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    await sleep(controls.delayMs);
    if (!body.stream) {
      const message = {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [{ id: callId, type: 'function', function: { name: tool.name, arguments: args } }],
      };
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: 'tool_calls' }],
        ...(controls.noUsage ? {} : { usage }),
      });
      return;
    }
    const withUsage = body.stream_options?.include_usage === true && !controls.noUsage;
    const base = { id, object: 'chat.completion.chunk', created, model };
    const chunk = (delta: unknown, finish: string | null) => ({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
    startSse(res);
    writeSse(
      res,
      chunk(
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { index: 0, id: callId, type: 'function', function: { name: tool.name, arguments: '' } },
          ],
        },
        null,
      ),
    );
    for (const part of pieces(args, 8)) {
      await sleep(controls.chunkDelayMs);
      if (res.destroyed) return;
      writeSse(res, chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }, null));
    }
    writeSse(res, chunk({}, 'tool_calls'));
    if (withUsage) writeSse(res, { ...base, choices: [], usage });
    writeSse(res, '[DONE]');
    res.end();
  },
};
