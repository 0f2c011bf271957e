import { getTracer, type Tracer } from '../tracer.js';
import { chatHooks, embeddingHooks } from './chat.js';
import { responsesHooks } from './responses.js';
import { observeStream } from './stream.js';
import type { CallHooks } from './types.js';

/** Options for {@link instrument}. */
export interface InstrumentOptions {
  /** Tracer to record into (default: the one from `configure`). */
  tracer?: Tracer;
  /** `provider` of the spans (default `openai`). */
  provider?: string;
  /** Record prompt and response text (default true). Token counts and timings are always recorded. */
  captureContent?: boolean;
}

/** The OpenAI client surface `instrument` understands; every part is optional. */
export interface OpenAILike {
  chat?: { completions?: { create?: unknown } };
  responses?: { create?: unknown };
  embeddings?: { create?: unknown };
}

// Which property paths lead to a traced method.
type Tree = { [key: string]: Tree | CallHooks };
const TREE: Tree = {
  chat: { completions: { create: chatHooks } },
  responses: { create: responsesHooks },
  embeddings: { create: embeddingHooks },
};

const isHooks = (v: Tree | CallHooks): v is CallHooks => typeof (v as CallHooks).request === 'function';

interface Ctx {
  tracer: () => Tracer;
  provider: string;
  capture: boolean;
}

type AnyFn = (...args: unknown[]) => unknown;

function traced(original: AnyFn, self: object, hooks: CallHooks, ctx: Ctx): AnyFn {
  return (...args: unknown[]) => {
    const body = (args[0] !== null && typeof args[0] === 'object' ? args[0] : {}) as Record<string, unknown>;
    const span = ctx
      .tracer()
      .startSpan(hooks.operation, ctx.provider, typeof body.model === 'string' ? body.model : '');
    try {
      hooks.request(span, body, ctx.capture);
    } catch {
      // Recording must never break the call.
    }
    let result: unknown;
    try {
      result = original.apply(self, args);
    } catch (err) {
      span.setError(err);
      span.end();
      throw err;
    }

    const onValue = (value: unknown): void => {
      try {
        if (
          body.stream === true &&
          hooks.stream &&
          observeStream(value, span, hooks.stream(span, ctx.capture))
        )
          return;
        hooks.response(span, value, ctx.capture);
      } catch {
        // Best effort: a surprising response shape still ends the span below.
      }
      span.end();
    };
    const onError = (err: unknown): void => {
      span.setError(err);
      span.end();
    };

    if (
      result === null ||
      typeof result !== 'object' ||
      typeof (result as PromiseLike<unknown>).then !== 'function'
    ) {
      onValue(result);
      return result;
    }
    const p = result as Record<string, unknown> & PromiseLike<unknown>;
    if (typeof p.parse === 'function' && typeof p.asResponse === 'function') {
      // An openai `APIPromise`: it parses the body lazily, on the caller's `then`/`withResponse`.
      // Observe the parse the caller triggers (never our own), so `.asResponse()` keeps an unread body.
      const parse = p.parse as () => Promise<unknown>;
      const asResponse = p.asResponse as () => Promise<{ status: number }>;
      let observed = false;
      p.parse = function (this: unknown) {
        const parsed = parse.call(this);
        if (!observed) {
          observed = true;
          parsed.then(onValue, onError);
        }
        return parsed;
      };
      p.asResponse = function (this: unknown) {
        const raw = asResponse.call(this);
        raw.then(
          (r) => {
            if (observed) return;
            span.update({ statusCode: r.status });
            if (r.status >= 400) span.setError(`HTTP ${r.status}`, r.status);
            span.end();
          },
          (err) => {
            if (!observed) onError(err);
          },
        );
        return raw;
      };
      return result;
    }
    p.then(onValue, onError);
    return result;
  };
}

function wrap<T extends object>(target: T, tree: Tree, ctx: Ctx, cache: WeakMap<object, unknown>): T {
  const cached = cache.get(target);
  if (cached) return cached as T;
  const members = new Map<PropertyKey, unknown>();
  const proxy = new Proxy(target, {
    get(obj, prop) {
      // Read from the real object (not the proxy) so private fields and getters keep working.
      const value: unknown = Reflect.get(obj, prop);
      const sub = typeof prop === 'string' ? tree[prop] : undefined;
      if (sub === undefined || value === null || value === undefined) return value;
      if (isHooks(sub)) {
        if (typeof value !== 'function') return value;
        const prev = members.get(prop) as { original: unknown; fn: unknown } | undefined;
        if (prev?.original === value) return prev.fn;
        const fn = traced(value as AnyFn, obj, sub, ctx);
        members.set(prop, { original: value, fn });
        return fn;
      }
      return typeof value === 'object' ? wrap(value, sub, ctx, cache) : value;
    },
  });
  cache.set(target, proxy);
  return proxy;
}

/**
 * Instrument an OpenAI client in one line: `chat.completions.create` (streams too: the iterator
 * passes through untouched while TTFT, text and usage are recorded), `responses.create` and
 * `embeddings.create` each record a span; every other property is the client's own. The client is
 * not modified and keeps its type; calls made inside `tracer.withSpan`/`tracer.trace` become
 * children of the active span. The `openai` package is not imported.
 *
 * @example
 * const openai = instrument(new OpenAI(), { tracer });
 * const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
 */
export function instrument<T extends object>(client: T, options: InstrumentOptions = {}): T {
  const ctx: Ctx = {
    tracer: () => options.tracer ?? getTracer(),
    provider: options.provider ?? 'openai',
    capture: options.captureContent ?? true,
  };
  return wrap(client, TREE, ctx, new WeakMap());
}
