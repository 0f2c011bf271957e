import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { SseEvent, StreamParser } from '../providers/types.js';
import { type EventRewriter, type TeeResult, teeResponseBody } from './tee.js';

function recordingParser(): StreamParser & { events: SseEvent[] } {
  const events: SseEvent[] = [];
  return {
    events,
    push(ev) {
      events.push(ev);
      return ev.data !== '[DONE]';
    },
    result: () => ({ text: events.map((e) => e.data).join('|'), toolCalls: [] }),
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return Buffer.concat(parts);
}

function setup(options: { sse: boolean; rewriter?: EventRewriter; captureLimit?: number }) {
  const body = new PassThrough();
  const parser = recordingParser();
  let result: TeeResult | undefined;
  let cancelled = false;
  const stream = teeResponseBody(body, {
    ...options,
    streamParser: options.sse ? parser : undefined,
    startTime: Date.now(),
    onDone: (r) => {
      result = r;
    },
    onCancel: () => {
      cancelled = true;
    },
  });
  return { body, parser, stream, result: () => result, cancelled: () => cancelled };
}

describe('teeResponseBody', () => {
  it('passes bytes untouched and parses events split across chunks, including split UTF-8', async () => {
    const t = setup({ sse: true });
    const payload = Buffer.from('data: {"a":"héllo"}\n\ndata: second\n\ndata: [DONE]\n\n');
    // Split inside the multi-byte é and inside an event.
    const cuts = [9, 14, 15, 30];
    let prev = 0;
    for (const c of cuts) {
      t.body.write(payload.subarray(prev, c));
      prev = c;
    }
    t.body.end(payload.subarray(prev));
    const got = await readAll(t.stream);
    expect(got.equals(payload)).toBe(true);
    expect(t.parser.events.map((e) => e.data)).toEqual(['{"a":"héllo"}', 'second', '[DONE]']);
    expect(t.result()?.outcome).toBe('end');
    expect(t.result()?.ttftMs).toBeTypeOf('number');
  });

  it('dispatches a last event that is not followed by a blank line', async () => {
    const t = setup({ sse: true });
    t.body.end('data: one\n\ndata: two');
    await readAll(t.stream);
    expect(t.parser.events.map((e) => e.data)).toEqual(['one', 'two']);
  });

  it('captures non-SSE bodies up to the limit while the client still gets everything', async () => {
    const t = setup({ sse: false, captureLimit: 10 });
    t.body.write('0123456789');
    t.body.end('abcdef');
    expect((await readAll(t.stream)).toString()).toBe('0123456789abcdef');
    expect(t.result()?.captured?.toString()).toBe('0123456789');
    expect(t.result()?.truncated).toBe(true);
  });

  it('a rewriter can drop, change and hold back events, and flush them at the end', async () => {
    const held: SseEvent[] = [];
    const rewriter: EventRewriter = {
      push(ev) {
        if (ev.data === 'drop') return [];
        if (ev.data === 'hold') {
          held.push(ev);
          return [];
        }
        return [{ data: ev.data.toUpperCase() }];
      },
      end: () => held.splice(0).map((e) => ({ data: `late-${e.data}` })),
    };
    const t = setup({ sse: true, rewriter });
    t.body.write('data: a\n\ndata: drop\n\n');
    t.body.end('data: hold\n\ndata: b\n\n');
    expect((await readAll(t.stream)).toString()).toBe('data: A\n\ndata: B\n\ndata: late-hold\n\n');
    // Tracing sees the upstream's events, not the rewritten ones.
    expect(t.parser.events.map((e) => e.data)).toEqual(['a', 'drop', 'hold', 'b']);
  });

  it('a rewriter that stops ends the client stream and the body is marked stopped', async () => {
    let stop = false;
    const rewriter: EventRewriter = {
      push(ev) {
        if (ev.data === 'secret') {
          stop = true;
          return [{ data: 'blocked' }];
        }
        return [ev];
      },
      end: () => [],
      stopped: () => stop,
    };
    const t = setup({ sse: true, rewriter });
    t.body.write('data: ok\n\ndata: secret\n\n');
    const got = (await readAll(t.stream)).toString();
    expect(got).toBe('data: ok\n\ndata: blocked\n\n');
    expect(t.result()?.outcome).toBe('stopped');
    expect(t.body.destroyed).toBe(true);
  });

  it('a client cancel destroys the upstream body and reports cancelled', async () => {
    const t = setup({ sse: true });
    t.body.write('data: first\n\n');
    const reader = t.stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(t.cancelled()).toBe(true);
    expect(t.result()?.outcome).toBe('cancelled');
    expect(t.body.destroyed).toBe(true);
  });

  it('an upstream error mid-body errors the client stream and reports error', async () => {
    const t = setup({ sse: false });
    t.body.write('partial');
    t.body.destroy(new Error('socket hang up'));
    await expect(readAll(t.stream)).rejects.toThrow();
    expect(t.result()?.outcome).toBe('error');
  });
});
