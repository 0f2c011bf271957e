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

interface CompletionBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

/** OpenAI legacy `POST /v1/completions`, streaming and not. */
export const openaiCompletionsHandler: MockHandler = {
  match: (method, path) =>
    method === 'POST' && /(^|\/)completions$/.test(path) && !/chat\/completions$/.test(path),
  async handle(_req, res, raw, controls) {
    const body = (raw ?? {}) as CompletionBody;
    const model = typeof body.model === 'string' ? body.model : 'gpt-3.5-turbo-instruct';
    const prompt = lastUserText(raw);
    const text = controls.content ?? defaultReply(prompt);
    const id = `cmpl-mock${Date.now().toString(36)}`;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = fakeTokens(prompt);
    const completionTokens = fakeTokens(text);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    await sleep(controls.delayMs);
    if (!body.stream) {
      sendJson(res, 200, {
        id,
        object: 'text_completion',
        created,
        model,
        choices: [{ text, index: 0, logprobs: null, finish_reason: 'stop' }],
        ...(controls.noUsage ? {} : { usage }),
      });
      return;
    }
    const withUsage = body.stream_options?.include_usage === true && !controls.noUsage;
    const base = { id, object: 'text_completion', created, model };
    startSse(res);
    for (const delta of splitDeltas(text)) {
      if (res.destroyed) return;
      writeSse(res, {
        ...base,
        choices: [{ text: delta, index: 0, logprobs: null, finish_reason: null }],
        ...(withUsage ? { usage: null } : {}),
      });
      await sleep(controls.chunkDelayMs);
    }
    writeSse(res, {
      ...base,
      choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }],
      ...(withUsage ? { usage: null } : {}),
    });
    if (withUsage) writeSse(res, { ...base, choices: [], usage });
    writeSse(res, '[DONE]');
    res.end();
  },
};
