import { Readable } from 'node:stream';
import { type Finding, LLMTraceError, type Logger, newSpanId, newTraceId } from '@llmtrace/core';
import { injectStreamUsage, isUsageOnlyChunk } from '../providers/openai-stream-usage.js';
import { findFormat, isPassThroughOnly } from '../providers/registry.js';
import type { ParsedRequest, ProviderFormat, SseEvent } from '../providers/types.js';
import type { CallAnalyzer } from './analysis.js';
import { decodeBody } from './decode.js';
import type { CallRecord } from './finalize.js';
import { deliverSpan, readRequestBody } from './finalize.js';
import { clientResponseHeaders, headerValue } from './headers.js';
import type { InFlightCounter } from './in-flight.js';
import type { IncomingView } from './incoming.js';
import type { BodyRewriter, PolicyContext, PolicyDecision, RequestPolicy } from './policy.js';
import { DEFAULT_CAPTURE, type EventRewriter, type TeeOptions, type TeeResult } from './tee.js';
import { callerApiKey, type HeaderReader, resolveIdentity } from './tenant.js';
import type { PipelineDeps } from './types.js';
import { CallAbort, type UpstreamClient, upstreamTarget } from './upstream.js';

/** Picks the upstream for a request. */
export type RouteFn = (
  method: string,
  path: string,
  headers: HeaderReader,
) => { upstream: string; path: string; provider?: string };

export interface ProxyHandlerOptions extends Pick<PipelineDeps, 'sink' | 'onSpan'> {
  upstream: UpstreamClient;
  route: RouteFn;
  tenantSecret: string;
  maxRequestBodyBytes: number;
  captureLimitBytes?: number;
  injectStreamUsage: boolean;
  /** Checks run before the upstream (auth, limits, budgets, enforcement), in order. */
  policies: readonly RequestPolicy[];
  /** Turns finished calls into spans (inline, or on a worker thread). */
  analyzer: CallAnalyzer;
  logger: Logger;
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;
const NO_BODY_STATUS = new Set([101, 204, 205, 304]);
const encoder = new TextEncoder();

/**
 * What the policies see of a call. A class rather than an object literal: a literal with a getter
 * is built by a slow runtime path on every call (about 30 times the cost of this constructor).
 */
class CallPolicyContext implements PolicyContext {
  constructor(
    readonly identity: PolicyContext['identity'],
    readonly method: string,
    readonly path: string,
    readonly format: ProviderFormat | undefined,
    private readonly call: { rec: CallRecord; read(): unknown; headers: HeaderReader },
    private readonly incoming: IncomingView,
  ) {}

  private key: string | undefined | null = null;
  private replaced: { body: unknown } | undefined;

  /** The understood request: the body is parsed on the first read, by whichever policy needs it. */
  get request(): ParsedRequest | undefined {
    this.call.read();
    return this.call.rec.request;
  }

  get body(): unknown {
    return this.replaced ? this.replaced.body : this.call.read();
  }

  set body(body: unknown) {
    this.replaced = { body };
  }

  /** The request's headers, built only if a policy reads them. */
  get headers(): Headers {
    return this.incoming.headers();
  }

  /** The caller's API key, read only if a policy asks for it. */
  get apiKey(): string | undefined {
    if (this.key === null) this.key = callerApiKey(this.call.headers);
    return this.key;
  }
}

/** Response headers as Node writes them (lower-case names; arrays for repeated headers). */
export type ReplyHeaders = Record<string, string | string[]>;

/**
 * What the proxy answers, for the server in front to write: whole bytes (or no body), or the
 * upstream's body to stream through the tee.
 */
export type ProxyReply =
  | { status: number; headers: ReplyHeaders; body: Uint8Array | null; tee?: undefined }
  | {
      status: number;
      headers: ReplyHeaders;
      body?: undefined;
      tee: { upstream: Readable; options: TeeOptions };
    };

/**
 * The transparent proxy: forwards any method and path, streams the answer back chunk by chunk,
 * and records the call as a span once the body is over (off the request path). Its own failures
 * are thrown as {@link LLMTraceError}s for the server to turn into error responses.
 */
export function createProxyCall(opts: ProxyHandlerOptions, inflight: InFlightCounter) {
  return async (req: IncomingView): Promise<ProxyReply> => {
    const startTime = Date.now();
    const reader: HeaderReader = { get: (name) => req.header(name) ?? null };
    const method = req.method;
    const identity = resolveIdentity(reader, opts.tenantSecret);
    const routed = opts.route(method, req.pathname, reader);
    const format: ProviderFormat | undefined = findFormat(method, routed.path);
    const traced = !isPassThroughOnly(method, routed.path);

    const tp = TRACEPARENT.exec(req.header('traceparent') ?? '');
    const rec: CallRecord = {
      traceId: tp?.[1] ?? newTraceId(),
      spanId: newSpanId(),
      parentSpanId: tp?.[2],
      identity,
      method,
      path: req.pathname,
      provider: routed.provider,
      format,
      stream: false,
      startTime,
      endTime: startTime,
      statusCode: 0,
      status: 'ok',
    };
    const finish = (patch: Partial<CallRecord>): void => {
      Object.assign(rec, patch);
      if (traced)
        opts.analyzer.submit(rec, (span) => {
          if (span) deliverSpan(span, rec.onFinish, opts);
        });
    };

    inflight.enter();
    let handedOff = false;
    try {
      let body: Uint8Array | undefined;
      try {
        body = await req.body(opts.maxRequestBodyBytes);
      } catch (err) {
        if (err instanceof LLMTraceError)
          finish({ endTime: Date.now(), statusCode: err.status, status: 'error', error: err.message });
        throw err;
      }

      // Parsed on the request path only when something there needs it (a policy, usage
      // injection, the stream parser); otherwise when the span is built, off the request path.
      // readRequestBody takes `rec.requestBody` away: it runs once, here or in the analysis.
      let parsedBody: unknown;
      if (format && body && body.length > 0) rec.requestBody = body;
      const readBody = (): unknown => {
        if (rec.requestBody) parsedBody = readRequestBody(rec, rec.requestBody);
        return parsedBody;
      };

      let dropUsageChunk = false;
      if (opts.injectStreamUsage && (format?.id === 'openai.chat' || format?.id === 'openai.completions')) {
        const json = readBody();
        if (rec.request?.stream && json && typeof json === 'object') {
          dropUsageChunk = injectStreamUsage(json as Record<string, unknown>);
          if (dropUsageChunk) body = encoder.encode(JSON.stringify(json));
        }
      }

      const decisions: PolicyDecision[] = [];
      if (opts.policies.length > 0) {
        const pctx = new CallPolicyContext(
          identity,
          method,
          routed.path,
          format,
          { rec, read: readBody, headers: reader },
          req,
        );
        try {
          for (const policy of opts.policies) {
            // Awaited only when it is a promise: a policy with nothing to do answers at once.
            const r = policy.check(pctx);
            const d = isPromiseLike(r) ? await r : r;
            if (d) decisions.push(d);
          }
        } catch (err) {
          const e =
            err instanceof LLMTraceError
              ? err
              : new LLMTraceError('internal_error', 'policy failed', { cause: err });
          rec.onFinish = decisions.flatMap((d) => (d.onFinish ? [d.onFinish.bind(d)] : []));
          rec.inputScan = mergeScans(decisions);
          const blocked = e.code === 'content_policy_violation';
          finish({
            endTime: Date.now(),
            statusCode: e.status,
            status: blocked ? 'blocked' : 'error',
            error: e.message,
          });
          throw e;
        }
        if (decisions.some((d) => d.bodyChanged) && pctx.body !== undefined) {
          body = encoder.encode(JSON.stringify(pctx.body));
          if (format && rec.request) {
            try {
              rec.request = format.parseRequest(pctx.body);
            } catch {
              // keep the original understanding
            }
          }
        }
        if (decisions.length > 0) {
          rec.onFinish = decisions.flatMap((d) => (d.onFinish ? [d.onFinish.bind(d)] : []));
          rec.inputScan = mergeScans(decisions);
        }
      }

      const abort = new CallAbort();
      const stopWatching = req.onClientGone(() => abort.abort());

      let res: Awaited<ReturnType<UpstreamClient['send']>>;
      try {
        const target = upstreamTarget(routed.upstream, routed.path, req.search);
        const answer = opts.upstream.send({
          origin: target.origin,
          path: target.path,
          method,
          headers: withUpstreamHeaders(req.forwardHeaders(body?.length), decisions),
          body,
          signal: abort,
        });
        // A stream's parser needs the request at the answer's first byte. Read it while the
        // upstream works on its answer (after the request is written, which undici also does in
        // an immediate), so that the first chunk does not wait for it: with a 256 KB prompt the
        // parse takes a millisecond or more. Other calls keep theirs for the span's batch.
        if (rec.requestBody && mayAskForStream(rec.requestBody)) setImmediate(readBody);
        res = await answer;
      } catch (err) {
        stopWatching();
        if (abort.aborted) {
          finish({
            endTime: Date.now(),
            statusCode: 499,
            status: 'cancelled',
            error: 'client closed the request before the upstream answered',
          });
          throw new LLMTraceError('invalid_request', 'client closed request');
        }
        const e =
          err instanceof LLMTraceError
            ? err
            : new LLMTraceError('upstream_unreachable', 'upstream unreachable');
        finish({ endTime: Date.now(), statusCode: e.status, status: 'error', error: e.message });
        throw e;
      }

      const statusCode = res.statusCode;
      const contentType = headerValue(res.headers, 'content-type') ?? '';
      const encoding = headerValue(res.headers, 'content-encoding');
      const sse = contentType.includes('text/event-stream') && (!encoding || encoding === 'identity');
      rec.stream = rec.stream || sse;
      const headers = clientResponseHeaders(res.headers);
      headers['x-llmtrace-trace-id'] = rec.traceId;
      for (const d of decisions)
        for (const [k, v] of Object.entries(d.responseHeaders ?? {})) headers[k.toLowerCase()] = v;
      if (sse && format) readBody();
      const streamParser = sse && format && rec.request ? format.createStreamParser(rec.request) : undefined;

      // Set when the output guard had to let a body through unread (see guardWholeBody).
      let guardNote: string | undefined;
      const onDone = (result: TeeResult): void => {
        stopWatching();
        const patch: Partial<CallRecord> = {
          endTime: result.endTime,
          statusCode,
          ttftMs: result.ttftMs,
          status: statusCode >= 400 ? 'error' : 'ok',
        };
        if (result.outcome === 'stopped') {
          patch.status = 'blocked';
          patch.error = 'response stopped by the output guard';
          abort.abort();
        } else if (result.outcome === 'cancelled') {
          patch.status = 'cancelled';
          patch.error = 'client disconnected before the response ended';
        } else if (result.outcome === 'error') {
          patch.status = 'error';
          patch.error = 'upstream response ended with an error';
        }
        if (streamParser) {
          try {
            patch.response = streamParser.result();
          } catch (err) {
            patch.responseParseError = `stream not understood: ${String(err)}`;
          }
        } else if (result.captured) {
          // Decoded and parsed when the span is built, not while the client waits for its answer.
          patch.responseBody = {
            bytes: result.captured,
            encoding: result.capturedDecoded ? undefined : encoding,
            contentType,
            truncated: result.truncated,
          };
        }
        if (guardNote)
          patch.responseParseError = patch.responseParseError
            ? `${guardNote}; ${patch.responseParseError}`
            : guardNote;
        finish(patch);
        inflight.leave();
      };

      handedOff = true;
      if (NO_BODY_STATUS.has(statusCode) || method === 'HEAD') {
        res.body.resume();
        onDone({ outcome: 'end', truncated: false, bytes: 0, endTime: Date.now() });
        return { status: statusCode, headers, body: null };
      }
      const rewriters: EventRewriter[] = [];
      if (dropUsageChunk) rewriters.push(dropUsageOnlyChunks());
      if (sse)
        for (const d of decisions) {
          const r = d.streamRewriter?.(rec.request);
          if (r) rewriters.push(r);
        }
      const bodyRewriters = decisions.flatMap((d) => (d.bodyRewriter ? [d.bodyRewriter] : []));
      let upstreamBody: Readable = res.body;
      if (!sse && bodyRewriters.length > 0 && statusCode < 300) {
        const limit = opts.captureLimitBytes ?? DEFAULT_CAPTURE;
        const guarded = await guardWholeBody(
          upstreamBody,
          limit,
          headers,
          statusCode,
          encoding,
          contentType,
          bodyRewriters,
          onDone,
          startTime,
        );
        if (!('rest' in guarded)) return guarded;
        // Too large to hold in memory for the guard: it streams on as the upstream sends it.
        upstreamBody = guarded.rest;
        guardNote = `output guard not applied: response over ${limit} bytes`;
      }
      const declared = Number(headerValue(res.headers, 'content-length'));
      if (!sse && rewriters.length === 0 && declared >= 0 && declared <= SMALL_BODY) {
        // A small body of known length: collect it and answer with bytes, which the server writes
        // together with the headers in one go instead of headers, then a stream, then its end.
        const whole = await collectSmallBody(upstreamBody, declared);
        if (whole) {
          onDone({
            outcome: 'end',
            captured: whole,
            truncated: false,
            bytes: whole.length,
            endTime: Date.now(),
          });
          return { status: statusCode, headers, body: whole.length > 0 ? whole : null };
        }
        // The client left, or the upstream broke off before the declared length.
        const cancelled = abort.aborted;
        onDone({
          outcome: cancelled ? 'cancelled' : 'error',
          truncated: false,
          bytes: 0,
          endTime: Date.now(),
        });
        throw cancelled
          ? new LLMTraceError('invalid_request', 'client closed request')
          : new LLMTraceError('upstream_unreachable', 'upstream closed the connection mid-response');
      }
      if (rewriters.length > 0) delete headers['content-length'];
      const options: TeeOptions = {
        sse,
        streamParser,
        rewriter: chainRewriters(rewriters),
        captureLimit: opts.captureLimitBytes,
        startTime,
        onDone,
        onCancel: () => abort.abort(),
        abortClient: req.destroyClient,
      };
      return { status: statusCode, headers, tee: { upstream: upstreamBody, options } };
    } finally {
      if (!handedOff) inflight.leave();
    }
  };
}

const STREAM_KEY = Buffer.from('"stream"');

/**
 * Whether a request body may ask for a streamed answer: it holds the `"stream"` key. A key spelt
 * with escapes is missed, and then parsed at the first byte as before; nothing else depends on it.
 */
function mayAskForStream(body: Uint8Array): boolean {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes(STREAM_KEY);
}

function isPromiseLike<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function';
}

/** Largest non-streaming body answered in one write (bytes). */
const SMALL_BODY = 64 * 1024;

/**
 * Read a body to its end, holding at most `limit` bytes: its bytes and whether it ended cleanly
 * (not cut off or errored), or, past the limit, `rest`: the whole body again as a stream (what was
 * read, then the remainder as it arrives). Event listeners rather than an async iterator, which
 * costs a generator and a promise per chunk on the common path.
 */
function readUpTo(
  body: Readable,
  limit: number,
): Promise<{ bytes: Buffer; ok: boolean; rest?: undefined } | { rest: Readable }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('close', onClose);
    };
    const whole = (ok: boolean): void => {
      stop();
      resolve({ bytes: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size), ok });
    };
    const onData = (chunk: Buffer): void => {
      parts.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      stop();
      body.pause();
      resolve({ rest: Readable.from(restOf(parts, body), { objectMode: false }) });
    };
    const onEnd = (): void => whole(true);
    // Closed before its end: cut off.
    const onClose = (): void => whole(false);
    // Stays attached: an error after this read is over must not go unhandled (the rest's reader
    // still sees it, as the stream's stored error).
    body.on('error', () => whole(false));
    // Listeners attached to a stream that is already over would wait forever.
    if (body.readableEnded || body.destroyed) {
      whole(body.readableEnded);
      return;
    }
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('close', onClose);
  });
}

/** What was read, then the rest of the body as it arrives. */
async function* restOf(read: readonly Buffer[], body: Readable): AsyncGenerator<Buffer> {
  yield* read;
  for await (const chunk of body) yield chunk as Buffer;
}

/** Read a body of known small length completely; `undefined` if it ends short, runs over or errors. */
async function collectSmallBody(body: Readable, length: number): Promise<Buffer | undefined> {
  const read = await readUpTo(body, length);
  if (read.rest) {
    read.rest.destroy();
    body.destroy(); // the rest's generator may not have started, so it would not
    return undefined;
  }
  return read.ok && read.bytes.length === length ? read.bytes : undefined;
}

function mergeScans(
  decisions: readonly PolicyDecision[],
): { findings: Finding[]; score: number } | undefined {
  const scanned = decisions.filter((d) => d.findings !== undefined);
  if (scanned.length === 0) return undefined;
  return {
    findings: scanned.flatMap((d) => d.findings ?? []),
    score: Math.max(0, ...scanned.map((d) => d.score ?? 0)),
  };
}

function withUpstreamHeaders(
  headers: Record<string, string>,
  decisions: readonly PolicyDecision[],
): Record<string, string> {
  for (const d of decisions) Object.assign(headers, d.upstreamHeaders);
  return headers;
}

/** Run several rewriters in sequence: each one's output is the next one's input. */
function chainRewriters(list: readonly EventRewriter[]): EventRewriter | undefined {
  if (list.length <= 1) return list[0];
  const through = (events: SseEvent[], from: number): SseEvent[] => {
    let cur = events;
    for (let i = from; i < list.length; i++) cur = cur.flatMap((e) => list[i]!.push(e));
    return cur;
  };
  return {
    push: (ev) => through([ev], 0),
    end: () => {
      // What rewriter i still held back passes through the rewriters after it.
      let out: SseEvent[] = [];
      for (const r of list) out = [...out.flatMap((e) => r.push(e)), ...r.end()];
      return out;
    },
    stopped: () => list.some((r) => r.stopped?.() === true),
  };
}

/**
 * Non-streaming output guard: read the whole body, let the rewriters change it, then send it. Only
 * used when a policy asks for it; the plain path streams bytes through untouched. A body over
 * `limit` bytes is not held in memory: `rest` gives it back whole (what was read, then the rest as
 * it arrives) to be streamed on unguarded.
 */
async function guardWholeBody(
  upstreamBody: Readable,
  limit: number,
  headers: ReplyHeaders,
  statusCode: number,
  encoding: string | undefined,
  contentType: string,
  rewriters: readonly BodyRewriter[],
  onDone: (r: TeeResult) => void,
  startTime: number,
): Promise<ProxyReply | { rest: Readable }> {
  const read = await readUpTo(upstreamBody, limit);
  if (read.rest) return { rest: read.rest };
  const { bytes: raw, ok } = read;
  let outcome: TeeResult['outcome'] = ok ? 'end' : 'error';
  let out: Buffer = raw;
  const decoded = decodeBody(raw, encoding);
  if (typeof decoded !== 'string') {
    let changed: Buffer | undefined;
    for (const rw of rewriters) {
      const r = rw(changed ?? decoded, contentType);
      if (r === undefined) continue;
      if (Buffer.isBuffer(r)) changed = r;
      else {
        changed = r.body;
        if (r.blocked) outcome = 'stopped';
      }
    }
    if (changed) {
      out = changed;
      delete headers['content-encoding'];
      headers['content-length'] = String(out.length);
    }
  }
  // The span keeps what the upstream said (decoded once, here); the client gets the guarded body.
  const decodedOk = typeof decoded !== 'string';
  onDone({
    outcome,
    captured: decodedOk ? decoded : raw,
    capturedDecoded: decodedOk,
    truncated: false,
    bytes: raw.length,
    endTime: Date.now(),
    firstByteMs: Date.now() - startTime,
  });
  return { status: statusCode, headers, body: out };
}

/** A rewriter that hides the usage chunk the proxy asked for on the client's behalf. */
function dropUsageOnlyChunks(): EventRewriter {
  return { push: (ev) => (isUsageOnlyChunk(ev.data) ? [] : [ev]), end: () => [] };
}
