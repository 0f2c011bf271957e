import type { MockHandler } from './types.js';
import { sendJson } from './util.js';

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-3.5-turbo-instruct', 'text-embedding-3-small'];

/** OpenAI `GET /v1/models`. */
export const openaiModelsHandler: MockHandler = {
  match: (method, path) => method === 'GET' && /\/models$/.test(path),
  async handle(_req, res) {
    sendJson(res, 200, {
      object: 'list',
      data: MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'llmtrace-mock' })),
    });
  },
};
