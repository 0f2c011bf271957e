import type { SpanHandle } from '../span.js';
import type { StreamRecorder } from './types.js';

type IterFn = (this: unknown) => AsyncIterator<unknown>;

/**
 * Observe a stream's iterator without changing what the caller sees: every chunk object is
 * passed through as is, while the recorder notes TTFT, text and usage. The span ends when the
 * stream ends, fails, or the caller stops early (`cancelled`).
 */
function observeIterator(make: IterFn, span: SpanHandle, recorder: StreamRecorder): IterFn {
  return function (this: unknown) {
    const inner = make.call(this);
    let done = false;
    const finish = (error?: unknown, cancelled = false): void => {
      if (done) return;
      done = true;
      recorder.finish();
      if (error !== undefined) span.setError(error);
      else if (cancelled) span.setStatus('cancelled');
      span.end();
    };
    const iterator: AsyncIterableIterator<unknown> = {
      async next(...args: [] | [unknown]) {
        let result: IteratorResult<unknown>;
        try {
          result = await inner.next(...args);
        } catch (err) {
          finish(err);
          throw err;
        }
        if (result.done) finish();
        else {
          try {
            recorder.chunk(result.value);
          } catch {
            // Recording is best effort; the caller's stream must never break because of it.
          }
        }
        return result;
      },
      async return(value?: unknown) {
        finish(undefined, true);
        return inner.return ? inner.return(value) : { done: true, value };
      },
      async throw(err?: unknown) {
        finish(err);
        if (inner.throw) return inner.throw(err);
        throw err;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  };
}

/**
 * Patch a stream object in place so iterating it records into `span`. OpenAI's `Stream` keeps its
 * iterator factory in an own `iterator` property that `for await`, `tee()` and
 * `toReadableStream()` all use, so that is patched when present; otherwise `Symbol.asyncIterator`.
 * Returns false when the value is not an async iterable.
 */
export function observeStream(stream: unknown, span: SpanHandle, recorder: StreamRecorder): boolean {
  if (stream === null || typeof stream !== 'object') return false;
  const target = stream as Record<string | symbol, unknown>;
  if (Object.hasOwn(target, 'iterator') && typeof target.iterator === 'function') {
    target.iterator = observeIterator(target.iterator as IterFn, span, recorder);
    return true;
  }
  const iter = target[Symbol.asyncIterator];
  if (typeof iter !== 'function') return false;
  Object.defineProperty(target, Symbol.asyncIterator, {
    value: observeIterator(iter as IterFn, span, recorder),
    configurable: true,
    writable: true,
  });
  return true;
}
