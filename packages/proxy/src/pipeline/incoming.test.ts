import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { LLMTraceError } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { nodeView } from './incoming.js';

/** A request stream as node:http hands it over: a readable body plus method, url and headers. */
function request(headers: Record<string, string> = {}): PassThrough & IncomingMessage {
  const body = new PassThrough() as PassThrough & IncomingMessage;
  Object.assign(body, { method: 'POST', url: '/v1/chat/completions', headers });
  return body;
}
const response = new PassThrough() as unknown as ServerResponse;

describe('nodeView body', () => {
  it('joins the chunks of a body', async () => {
    const req = request();
    const read = nodeView(req, response).body(100);
    req.write('{"a":');
    req.end('1}');
    expect(Buffer.from((await read) as Uint8Array).toString()).toBe('{"a":1}');
  });

  it('refuses a body that grows past the limit, and stops reading it', async () => {
    const req = request();
    const read = nodeView(req, response).body(8);
    req.write('12345');
    req.write('67890');
    const err = await read.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LLMTraceError);
    expect((err as LLMTraceError).status).toBe(413);
    expect(req.destroyed).toBe(true);
  });

  it('fails, not hangs, when the client goes away mid-body', async () => {
    const req = request();
    const read = nodeView(req, response).body(100);
    req.write('{"a":');
    req.destroy();
    const err = await read.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(LLMTraceError);
  });

  it('answers at once for a stream that is already over', async () => {
    const ended = request();
    ended.end();
    ended.resume();
    await new Promise((r) => ended.once('end', r));
    expect(await nodeView(ended, response).body(100)).toBeUndefined();

    const gone = request();
    gone.destroy();
    await expect(nodeView(gone, response).body(100)).rejects.toThrow();
  });

  it('has no body for an empty POST', async () => {
    const req = request();
    const read = nodeView(req, response).body(100);
    req.end();
    expect(await read).toBeUndefined();
  });
});
