import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ParsedRequest, ParsedResponse, Usage } from '../providers/types.js';

export type Encoding = 'o200k_base' | 'cl100k_base';
interface Tokenizer {
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
  setMergeCacheSize(entries: number): void;
}

const loaded = new Map<Encoding, Tokenizer>();
const counts = new Map<Encoding, CountCache>();

/**
 * Words the tokenizer remembers the merges of. gpt-tokenizer keeps up to 100 000 by default, each
 * a word missing from the vocabulary and its tokens: about 230 bytes apiece, so identifiers, ids,
 * hashes and text in other scripts grew a long-running proxy's heap by 23 MB for good. Prose
 * leaves far fewer: 14 000 after the 1.3 MB of the security-dev set's texts, counted twice, which
 * is as fast with 20 000 as with the default.
 */
const MERGE_CACHE_ENTRIES = 20_000;
/** Shortest text whose count is remembered: shorter ones cost about as much to count as to look up. */
const MIN_REMEMBERED_CHARS = 64;
/** Longest text whose count is remembered. */
const MAX_REMEMBERED_CHARS = 64_000;
/** Characters of text remembered per generation of the count cache (two generations at most). */
const COUNT_CACHE_CHARS = 512_000;

/**
 * Token counts of texts already counted. A chat client sends the system prompt and the whole
 * history again with every call, and estimates (token caps and budgets before forwarding, usage of
 * streams without it after) would tokenize all of it each time: about 60 µs per 4 KB.
 *
 * Two generations: a lookup tries the current one, then the previous one (carrying a hit forward);
 * once the current one holds `generationChars` characters of keys it becomes the previous one and
 * the older one is dropped whole. No per-entry bookkeeping, and no eviction walk.
 *
 * @example
 * const cache = createCountCache(1_000_000);
 * cache.get(text) ?? cache.set(text, count(text));
 */
export function createCountCache(generationChars: number) {
  let current = new Map<string, number>();
  let previous = new Map<string, number>();
  let chars = 0;
  const set = (text: string, count: number): number => {
    if (chars + text.length > generationChars) {
      previous = current;
      current = new Map();
      chars = 0;
    }
    current.set(text, count);
    chars += text.length;
    return count;
  };
  return {
    /** The remembered count of a text, or `undefined`. */
    get(text: string): number | undefined {
      const n = current.get(text);
      if (n !== undefined) return n;
      const old = previous.get(text);
      if (old === undefined) return undefined;
      previous.delete(text);
      return set(text, old);
    },
    /** Remember a count; returns it. */
    set,
    /** Remembered texts, both generations (for tests). */
    size: () => current.size + previous.size,
  };
}
export type CountCache = ReturnType<typeof createCountCache>;
// No special tokens are special in user text: `<|endoftext|>` typed by a user is counted as text
// (gpt-tokenizer would otherwise throw on it).
const AS_TEXT = { disallowedSpecial: new Set<string>() };

type GetEncodingApi = (name: Encoding, ranks: () => Array<string | number[]>) => Tokenizer;

/**
 * The encoding's merge ranks, read from gpt-tokenizer's own `.tiktoken` data file (one
 * `base64-bytes rank` per line): index = rank, value = the text the bytes decode to, or the bytes
 * when they are not (losslessly) UTF-8. This is the table the package's generated
 * `bpeRanks/<encoding>.js` module holds; reading it here costs the same time, but compiling that
 * 2 MB module left about 25 MB in the process's malloc arena that was never returned.
 */
export function readMergeRanks(file: string): Array<string | number[]> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const ranks: Array<string | number[]> = [];
  const text = readFileSync(file, 'latin1');
  for (let i = 0; i < text.length; ) {
    let nl = text.indexOf('\n', i);
    if (nl < 0) nl = text.length;
    const sp = text.indexOf(' ', i);
    if (sp > i && sp < nl) {
      const bytes = Buffer.from(text.slice(i, sp), 'base64');
      let value: string | number[];
      try {
        value = utf8.decode(bytes);
        // The decoder drops a leading byte-order mark: such tokens stay bytes.
        if (Buffer.byteLength(value, 'utf8') !== bytes.length) value = Array.from(bytes);
      } catch {
        value = Array.from(bytes);
      }
      ranks[Number(text.slice(sp + 1, nl))] = value;
    }
    i = nl + 1;
  }
  return ranks;
}

/** The encoding's tokenizer, loaded on first use (exported for tests). */
export function tokenizer(encoding: Encoding): Tokenizer {
  let t = loaded.get(encoding);
  if (!t) {
    // Loaded on first use, synchronously: the encodings are megabytes of data that importing the
    // gateway should not pay for, and estimation runs off the request path.
    const require = createRequire(import.meta.url);
    const { GptEncoding } = require('gpt-tokenizer/GptEncoding') as {
      GptEncoding: { getEncodingApi: GetEncodingApi };
    };
    const file = require.resolve(`gpt-tokenizer/data/${encoding}.tiktoken`);
    t = GptEncoding.getEncodingApi(encoding, () => readMergeRanks(file));
    t.setMergeCacheSize(MERGE_CACHE_ENTRIES);
    loaded.set(encoding, t);
  }
  return t;
}

/** The encoding a model family uses: cl100k for GPT-4/3.5 and the embedding models, o200k otherwise. */
export function encodingFor(model: string): Encoding {
  return /^(?:gpt-4(?:-|$)|gpt-3\.5|text-embedding|davinci|babbage)/i.test(model)
    ? 'cl100k_base'
    : 'o200k_base';
}

/**
 * Load the tokenizer data now instead of on the first estimate (about a second of CPU for the
 * o200k encoding). Call it once at server start when estimates run on the request path (token
 * caps, budgets).
 *
 * @example preloadTokenizer(); // in the app's startup, after config is parsed
 */
export function preloadTokenizer(models: readonly string[] = ['gpt-4o']): void {
  for (const model of models) tokenizer(encodingFor(model)).encode('warm up', AS_TEXT);
}

/**
 * Count the tokens of a text with the model's tokenizer (o200k or cl100k; other vendors' models
 * are approximated with o200k). Counts of texts of 64 characters or more are remembered (see
 * {@link createCountCache}), so a system prompt sent with every call is tokenized once.
 *
 * @example countTokens('Hello world', 'gpt-4o') // 2
 */
export function countTokens(text: string, model = ''): number {
  const encoding = encodingFor(model);
  if (text.length < MIN_REMEMBERED_CHARS || text.length > MAX_REMEMBERED_CHARS)
    return countOnce(text, encoding);
  let cache = counts.get(encoding);
  if (!cache) {
    cache = createCountCache(COUNT_CACHE_CHARS);
    counts.set(encoding, cache);
  }
  return cache.get(text) ?? cache.set(text, countOnce(text, encoding));
}

/** Count without remembering: for a completion, new with every call. */
function countOnce(text: string, encoding: Encoding): number {
  return text.length === 0 ? 0 : tokenizer(encoding).encode(text, AS_TEXT).length;
}

/**
 * Estimate the prompt tokens of a request. Chat formats count as OpenAI documents: 3 tokens per
 * message plus the role and content, 1 more for a `name`, and 3 to prime the reply. Plain text
 * prompts (completions, embeddings) count the text alone.
 *
 * @example estimatePromptTokens(parsed) // used for token caps and budgets before forwarding
 */
export function estimatePromptTokens(request: ParsedRequest): number {
  const model = request.model;
  if (request.promptKind === 'text') {
    return request.messages.reduce((n, m) => n + countTokens(m.content, model), 0);
  }
  let n = 3;
  for (const m of request.messages) {
    n += 3 + countTokens(m.role, model) + countTokens(m.content, model);
    if (m.name) n += 1 + countTokens(m.name, model);
  }
  // Formats with a separate system prompt (Anthropic `system`, Responses `instructions`) do not
  // repeat it as a message; count it as one more message.
  if (request.systemPrompt && !request.messages.some((m) => m.role === 'system' || m.role === 'developer')) {
    n += 3 + countTokens('system', model) + countTokens(request.systemPrompt, model);
  }
  return n;
}

/**
 * Estimate usage when the upstream reported none: the prompt as {@link estimatePromptTokens},
 * the completion as the tokens of the response text plus each tool call's name and arguments (new
 * with every call, so not remembered).
 * The pipeline marks the result `estimated`.
 */
export function estimateUsage(request: ParsedRequest, response: ParsedResponse): Usage {
  const model = response.responseModel || request.model;
  const encoding = encodingFor(model);
  const promptTokens = estimatePromptTokens(request);
  let completionTokens = countOnce(response.text, encoding);
  for (const call of response.toolCalls)
    completionTokens += countOnce(call.name, encoding) + countOnce(call.arguments, encoding);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
