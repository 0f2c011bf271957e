import type { MockHandler } from './types.js';
import { fakeTokens, sendJson, sleep } from './util.js';

/** A deterministic unit-ish vector for a text (so equal inputs get equal embeddings). */
function vectorFor(text: string, dims: number): number[] {
  const v: number[] = [];
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
    v.push(((h >>> 0) / 0xffffffff) * 2 - 1);
  }
  return v;
}

/** OpenAI `POST /v1/embeddings`: float or base64 (`encoding_format`) vectors, `usage.prompt_tokens`. */
export const openaiEmbeddingsHandler: MockHandler = {
  match: (method, path) => method === 'POST' && /\/embeddings$/.test(path),
  async handle(_req, res, raw, controls) {
    const body = (raw ?? {}) as {
      model?: string;
      input?: unknown;
      dimensions?: number;
      encoding_format?: string;
    };
    const inputs =
      typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input : [];
    const dims =
      typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : 8;
    let tokens = 0;
    const data = inputs.map((input, index) => {
      const text = typeof input === 'string' ? input : JSON.stringify(input);
      tokens += typeof input === 'string' ? fakeTokens(text) : Array.isArray(input) ? input.length : 1;
      const vector = vectorFor(text, dims);
      const embedding =
        body.encoding_format === 'base64'
          ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
          : vector;
      return { object: 'embedding', index, embedding };
    });
    await sleep(controls.delayMs);
    sendJson(res, 200, {
      object: 'list',
      data,
      model: body.model ?? 'text-embedding-3-small',
      ...(controls.noUsage ? {} : { usage: { prompt_tokens: tokens, total_tokens: tokens } }),
    });
  },
};
