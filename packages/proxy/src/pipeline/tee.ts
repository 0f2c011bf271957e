import type { ServerResponse } from 'node:http';
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
  /** `captured` is already decoded (its `content-encoding` undone), so the span need not do it again. */
  capturedDecoded?: boolean;
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

/** Bytes of a response kept for tracing unless `captureLimit` says otherwise. */
export const DEFAULT_CAPTURE = 8 * 1024 * 1024;

/** Where the tee writes the client's body: a web stream's controller, or a Node response. */
export interface TeeSink {
  write(chunk: Uint8Array): void;
  close(): void;
  error(err: unknown): void;
  /** Whether the client can take more now; when false the upstream read pauses until `resume`. */
  ready(): boolean;
}

/** Control over a running tee, for its sink's owner. */
export interface TeeControl {
  /** The client can take more: resume reading the upstream. */
  resume(): void;
  /** The client went away: stop, record the call as cancelled. */
  cancel(): void;
}

/**
 * Turn the upstream body into the client's body, chunk for chunk, while a copy feeds tracing.
 * Each upstream chunk is written for the client before anything else happens to it; parsing
 * never holds a chunk back. Back-pressure from a slow client pauses the upstream read.
 */
export function runTee(body: Readable, options: TeeOptions, sink: TeeSink): TeeControl {
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
        sink.write(chunk);
      } else if (out.length > 0) sink.write(Buffer.from(out, 'utf8'));
      if (stopped) {
        // The rewriter ended the response (a block): close the client stream and stop reading.
        finish('stopped');
        sink.close();
        body.destroy();
        return;
      }
    } else {
      sink.write(chunk);
      if (parser && decoder) feed(parser, decoder, chunk);
      else if (!truncated) {
        if (captured + chunk.length <= limit) {
          chunks.push(chunk);
          captured += chunk.length;
        } else truncated = true;
      }
    }
    if (!sink.ready()) body.pause();
  });
  body.once('end', () => {
    if (finished) return;
    if (rewriter && decoder && parser) {
      pendingOut = [];
      feed(parser, decoder, Buffer.alloc(0), true);
      for (const out of rewriter.end()) pendingOut.push(serialiseEvent(out.event, out.data));
      const tail = pendingOut.join('');
      pendingOut = undefined;
      if (tail.length > 0) sink.write(Buffer.from(tail, 'utf8'));
    }
    finish('end');
    sink.close();
  });
  body.once('error', (err) => {
    if (finished) return;
    finish('error', err);
    if (options.abortClient) {
      options.abortClient(err);
      return;
    }
    sink.error(err);
  });

  return {
    resume() {
      if (body.isPaused() && !finished) body.resume();
    },
    cancel() {
      if (!finished) {
        options.onCancel();
        finish('cancelled');
      }
      body.destroy();
    },
  };
}

/** {@link runTee} as a web `ReadableStream` (for `Response` bodies). */
export function teeResponseBody(body: Readable, options: TeeOptions): ReadableStream<Uint8Array> {
  let control: TeeControl | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      control = runTee(body, options, {
        write: (chunk) => controller.enqueue(chunk),
        close: () => {
          try {
            controller.close();
          } catch {
            // already cancelled
          }
        },
        error: (err) => {
          try {
            controller.error(err);
          } catch {
            // already cancelled
          }
        },
        ready: () => (controller.desiredSize ?? 1) > 0,
      });
    },
    pull() {
      control?.resume();
    },
    cancel() {
      control?.cancel();
    },
  });
}

/**
 * {@link runTee} written straight to a Node response whose head is already set: no web stream in
 * between. A client that goes away mid-body cancels the tee.
 */
export function teeToNodeResponse(body: Readable, options: TeeOptions, res: ServerResponse): void {
  const control = runTee(body, options, {
    write: (chunk) => {
      res.write(chunk);
    },
    close: () => {
      res.end();
    },
    error: (err) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    },
    ready: () => !res.writableNeedDrain,
  });
  res.on('drain', () => control.resume());
  res.once('close', () => {
    if (!res.writableFinished) control.cancel();
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
