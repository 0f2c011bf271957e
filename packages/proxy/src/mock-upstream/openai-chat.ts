import type { MockHandler } from './types.js';
import {
  defaultReply,
  fakeTokens,
  lastUserText,
  sendJson,
  sleep,
  splitDeltas,
  startSse,
  writeSse,
} from './util.js';

interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role?: string; content?: unknown }>;
}

function promptTokensOf(body: ChatBody): number {
  // 3 tokens of overhead per message plus 3 for the reply primer, as OpenAI documents for its chat format.
  let n = 3;
  for (const m of body.messages ?? [])
    n += 3 + fakeTokens(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''));
  return n;
}

/** OpenAI `POST /v1/chat/completions`, streaming and not, with the published chunk shapes. */
export const openaiChatHandler: MockHandler = {
  match: (method, path) => method === 'POST' && /\/chat\/completions$/.test(path),
  async handle(_req, res, raw, controls) {
    const body = (raw ?? {}) as ChatBody;
    const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
    const text = controls.content ?? defaultReply(lastUserText(body));
    const id = `chatcmpl-mock${Date.now().toString(36)}`;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = promptTokensOf(body);
    const completionTokens = fakeTokens(text);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
    await sleep(controls.delayMs);
    if (!body.stream) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        ...(controls.noUsage ? {} : { usage }),
        system_fingerprint: 'fp_mock',
      });
      return;
    }
    const withUsage = body.stream_options?.include_usage === true && !controls.noUsage;
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_mock' };
    const extra = withUsage ? { usage: null } : {};
    startSse(res);
    writeSse(res, {
      ...base,
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ],
      ...extra,
    });
    for (const delta of splitDeltas(text)) {
      await sleep(controls.chunkDelayMs);
      if (res.destroyed) return;
      writeSse(res, {
        ...base,
        choices: [{ index: 0, delta: { content: delta }, logprobs: null, finish_reason: null }],
        ...extra,
      });
    }
    writeSse(res, {
      ...base,
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
      ...extra,
    });
    if (withUsage) writeSse(res, { ...base, choices: [], usage });
    writeSse(res, '[DONE]');
    res.end();
  },
};
