import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { SseEvent, StreamParser } from '../providers/types.js';

/**
 * Rewrites a response stream event by event (used to hide an injected usage chunk, and by the
 * streaming output guard to redact or stop a response in flight).
 */
export interface EventRewriter {
  /** The events to send for this one: itself, a changed copy, none (held back or dropped), or several. */
  push(event: SseEvent): SseEvent[];
  /** Events still held back when the upstream stream ends. */
  end(): SseEvent[];
  /** When it returns true after a push, the tee ends the client stream there (e.g. a block). */
  stopped?(): boolean;
}

/** How a response body ended. */
export type BodyOutcome = 'end' | 'error' | 'cancelled' | 'stopped';

/** What the tee saw once the body is over. */
export interface TeeResult {
  outcome: BodyOutcome;
  error?: unknown;
  /** Raw body bytes for non-streaming responses (up to the capture limit). */
  captured?: Buffer;
  /** Whether the capture hit its limit (the client still got everything). */
  truncated: boolean;
  bytes: number;
  /** ms from request start to the first content-bearing stream event. */
  ttftMs?: number;
  /** ms from request start to the first body byte. */
  firstByteMs?: number;
  endTime: number;
}

export interface TeeOptions {
  /** Parse as SSE and feed each event to `streamParser`. */
  sse: boolean;
  streamParser?: StreamParser;
  /**
   * Rewrite the stream event by event. Without one, the upstream bytes pass untouched; with one,
   * the client receives the re-serialised events it returns.
   */
  rewriter?: EventRewriter;
  /** Max bytes kept for tracing (default 8 MiB); the client is never limited. */
  captureLimit?: number;
  startTime: number;
  /** Called once, after the body ended, errored or was cancelled by the client. */
  onDone(result: TeeResult): void;
  /** Called when the client goes away mid-body. */
  onCancel(): void;
  /**
   * Cut the client's connection when the upstream fails mid-body, so the client sees a truncated
   * response rather than extra bytes. Without it the client stream is errored.
   */
  abortClient?: (err: unknown) => void;
}

const DEFAULT_CAPTURE = 8 * 1024 * 1024;

/**
 * Turn the upstream body into the client's body, chunk for chunk, while a copy feeds tracing.
 * Each upstream chunk is enqueued for the client before anything else happens to it; parsing
 * never holds a chunk back. Back-pressure from a slow client pauses the upstream read.
 */
export function teeResponseBody(body: Readable, options: TeeOptions): ReadableStream<Uint8Array> {
  const limit = options.captureLimit ?? DEFAULT_CAPTURE;
  const chunks: Buffer[] = [];
  let captured = 0;
  let truncated = false;
  let bytes = 0;
  let ttftMs: number | undefined;
  let firstByteMs: number | undefined;
  let finished = false;
  let decoder: TextDecoder | undefined;
  let parser: EventSourceParser | undefined;
  // With a rewriter, events are re-serialised by the tee instead of passing raw bytes through.
  let rewriter = options.rewriter;
  let pendingOut: string[] | undefined;
  let stopped = false;

  if (options.sse) {
    decoder = new TextDecoder('utf-8');
    parser = createParser({
      maxBufferSize: limit,
      onEvent: (ev) => {
        if (rewriter && pendingOut && !stopped) {
          for (const out of rewriter.push({ event: ev.event, data: ev.data }))
            pendingOut.push(serialiseEvent(out.event, out.data));
          if (rewriter.stopped?.()) stopped = true;
        }
        const sp = options.streamParser;
        if (!sp) return;
        try {
          if (sp.push({ event: ev.event, data: ev.data }) && ttftMs === undefined)
            ttftMs = Date.now() - options.startTime;
        } catch {
          // A parser surprise must never touch the client's stream.
        }
      },
    });
  }

  const finish = (outcome: BodyOutcome, error?: unknown): void => {
    if (finished) return;
    finished = true;
    if (decoder && parser) {
      try {
        // A stream may end without the blank line that dispatches its last event.
        parser.feed(`${decoder.decode()}\n\n`);
      } catch {
        // ignore: tracing only
      }
    }
    options.onDone({
      outcome,
      error,
      captured: options.sse ? undefined : Buffer.concat(chunks),
      truncated,
      bytes,
      ttftMs,
      firstByteMs,
      endTime: Date.now(),
    });
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on('data', (chunk: Buffer) => {
        if (firstByteMs === undefined) firstByteMs = Date.now() - options.startTime;
        bytes += chunk.length;
        if (stopped) return;
        if (rewriter && parser && decoder) {
          pendingOut = [];
          const ok = feed(parser, decoder, chunk);
          const out = pendingOut.join('');
          pendingOut = undefined;
          if (!ok) {
            // The parser gave up: stop rewriting and pass the raw bytes from here on.
            rewriter = undefined;
            controller.enqueue(chunk);
          } else if (out.length > 0) controller.enqueue(Buffer.from(out, 'utf8'));
          if (stopped) {
            // The rewriter ended the response (a block): close the client stream and stop reading.
            finish('stopped');
            try {
              controller.close();
            } catch {
              // already cancelled
            }
            body.destroy();
            return;
          }
        } else {
          controller.enqueue(chunk);
          if (parser && decoder) feed(parser, decoder, chunk);
          else if (!truncated) {
            if (captured + chunk.length <= limit) {
              chunks.push(chunk);
              captured += chunk.length;
            } else truncated = true;
          }
        }
        if ((controller.desiredSize ?? 1) <= 0) body.pause();
      });
      body.once('end', () => {
        if (finished) return;
        if (rewriter && decoder && parser) {
          pendingOut = [];
          feed(parser, decoder, Buffer.alloc(0), true);
          for (const out of rewriter.end()) pendingOut.push(serialiseEvent(out.event, out.data));
          const tail = pendingOut.join('');
          pendingOut = undefined;
          if (tail.length > 0) controller.enqueue(Buffer.from(tail, 'utf8'));
        }
        finish('end');
        try {
          controller.close();
        } catch {
          // already cancelled
        }
      });
      body.once('error', (err) => {
        if (finished) return;
        finish('error', err);
        if (options.abortClient) {
          options.abortClient(err);
          return;
        }
        try {
          controller.error(err);
        } catch {
          // already cancelled
        }
      });
    },
    pull() {
      if (body.isPaused()) body.resume();
    },
    cancel() {
      if (!finished) {
        options.onCancel();
        finish('cancelled');
      }
      body.destroy();
    },
  });
}

function feed(parser: EventSourceParser, decoder: TextDecoder, chunk: Buffer, last = false): boolean {
  try {
    parser.feed(last ? `${decoder.decode()}\n\n` : decoder.decode(chunk, { stream: true }));
    return true;
  } catch {
    // Parser gave up (oversized event): tracing loses the rest, the client loses nothing.
    return false;
  }
}

function serialiseEvent(event: string | undefined, data: string): string {
  const lines = data.split('\n').map((l) => `data: ${l}`);
  return `${event ? `event: ${event}\n` : ''}${lines.join('\n')}\n\n`;
}
