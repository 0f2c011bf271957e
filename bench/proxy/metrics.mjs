// CPU per proxied call of the gateway's Prometheus metrics (`observeSpan`): the in-house metrics
// (`createMetrics` from @llmtrace/gateway) against the prom-client build they replaced (the
// exposition test's reference, packages/proxy/test/fixtures), on the same realistic spans, in one run, alternating which goes first each round.
// Both start each round with every series already created, as in a proxy that has been up a while,
// and the two expositions are compared at the end (they must be identical).
//
// Usage: pnpm --filter @llmtrace/gateway build && node bench/proxy/metrics.mjs [--rounds 12] [--calls 100000]
// Also prints the bytes each call allocates, sampled by V8's heap profiler.
import { Session } from 'node:inspector/promises';
import {
  createMetrics,
  GENAI_DURATION_BUCKETS,
  GENAI_TOKEN_BUCKETS,
  GENAI_TTFT_BUCKETS,
} from '@llmtrace/gateway';
import { promClientGatewayMetrics } from '../../packages/proxy/test/fixtures/prom-client-metrics.mjs';
import { mulberry32 } from '../../packages/proxy/test/fixtures/seeded.mjs';

const flag = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = flag('--rounds', 12);
const CALLS = flag('--calls', 100_000);

// The prom-client build's createMetrics, shared with the exposition test (its scrape-time readers
// stay unset here).
const promClientMetrics = () =>
  promClientGatewayMetrics({
    buckets: { duration: GENAI_DURATION_BUCKETS, tokens: GENAI_TOKEN_BUCKETS, ttft: GENAI_TTFT_BUCKETS },
  });

const MODELS = [
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4.1'],
  ['openai', 'o3-mini'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['anthropic', 'claude-haiku-4-5'],
  ['openai', 'text-embedding-3-small'],
];
const PATHS = { chat: '/v1/chat/completions', embedding: '/v1/embeddings', messages: '/v1/messages' };

/** Spans like a busy gateway's: mostly 200s, some 429/5xx, streams with TTFT, a few findings. */
function realisticSpans(n) {
  // Seeded, so every run sees the same spans.
  const r = mulberry32(42);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, () => {
    const [provider, model] = pick(MODELS);
    const operation = model.startsWith('text-embedding')
      ? 'embedding'
      : provider === 'anthropic'
        ? 'messages'
        : 'chat';
    const roll = r();
    const statusCode = roll < 0.93 ? 200 : roll < 0.97 ? 429 : roll < 0.99 ? 500 : 403;
    const stream = operation !== 'embedding' && r() < 0.6;
    const durationMs = Math.exp(5 + r() * 4);
    const promptTokens = Math.floor(Math.exp(3 + r() * 7));
    const completionTokens = operation === 'embedding' ? 0 : Math.floor(Math.exp(1 + r() * 6));
    const blocked = statusCode === 403;
    return {
      operation,
      provider,
      model,
      path: PATHS[operation],
      durationMs,
      ttftMs: stream ? durationMs * (0.05 + r() * 0.2) : undefined,
      statusCode,
      status: blocked ? 'blocked' : statusCode === 200 ? 'ok' : 'error',
      promptTokens,
      completionTokens,
      usageSource: statusCode === 200 ? 'upstream' : 'none',
      costUsd: statusCode === 200 ? (promptTokens * 2.5 + completionTokens * 10) / 1e6 : undefined,
      findings:
        blocked || r() < 0.03 ? [{ type: blocked ? 'prompt_injection' : 'pii.email', severity: 'high' }] : [],
    };
  });
}

const spans = realisticSpans(4096);

/** Milliseconds for `calls` observeSpan calls on metrics that already hold every series. */
function time(metrics, calls) {
  for (const s of spans) metrics.observeSpan(s);
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) metrics.observeSpan(spans[i & 4095]);
  return performance.now() - t0;
}

/** Bytes allocated per call, from V8's sampling heap profiler (collected objects included). */
async function allocatedPerCall(make, calls = 100_000) {
  const metrics = make();
  time(metrics, calls); // every series created, the code optimized
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 128,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let i = 0; i < calls; i++) metrics.observeSpan(spans[i & 4095]);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const total = (node) => node.selfSize + node.children.reduce((sum, c) => sum + total(c), 0);
  return total(profile.head) / calls;
}

const arms = { 'prom-client': promClientMetrics, 'in-house': () => createMetrics() };
const results = { 'prom-client': [], 'in-house': [] };
for (const make of Object.values(arms)) time(make(), CALLS / 4); // warm up
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? ['in-house', 'prom-client'] : ['prom-client', 'in-house'];
  for (const name of order) results[name].push(time(arms[name](), CALLS));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perCall = (name) => (median(results[name]) * 1000) / CALLS;
console.log(`observeSpan, ${CALLS} calls x ${ROUNDS} rounds, median per call:`);
for (const name of Object.keys(arms)) console.log(`  ${name.padEnd(12)} ${perCall(name).toFixed(3)} µs`);
console.log(`  ratio in-house / prom-client: ${(perCall('in-house') / perCall('prom-client')).toFixed(3)}`);
for (const [name, make] of Object.entries(arms)) {
  console.log(`  ${name.padEnd(12)} ~${Math.round(await allocatedPerCall(make))} bytes allocated per call`);
}

// Same spans into both: the expositions must not differ.
// The process's memory has no counterpart in the reference build.
const a = createMetrics({ processMetrics: false });
const b = promClientMetrics();
for (const s of spans) {
  a.observeSpan(s);
  b.observeSpan(s);
}
const [ours, theirs] = await Promise.all([a.text(), b.text()]);
const same = ours === theirs;
console.log(`  expositions identical: ${same}`);
if (!same) process.exitCode = 1;
