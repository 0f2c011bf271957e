// Added latency of the policy checks per request: rate limit (requests + tokens), token caps,
// input scan + enforcement, budget reservation and its settlement, timed in-process by calling the
// policies exactly as the pipeline does (await each check in order, then onFinish with the span).
// Baseline: the same loop with no policies, in the same run. Backends: memory, then the real Redis.
//
// Usage: pnpm --filter @llmtrace/gateway build && node bench/policies/policies.mjs
//        LLMTRACE_BENCH_REDIS_URL=redis://host:6379 to point at another Redis; SKIP_REDIS=1 to skip it.
// Target: p50 added latency < 0.3 ms with the in-memory backends. Exits non-zero when missed.
import { createRequire } from 'node:module';
import {
  createBudgetPolicy,
  createEnforcementPolicy,
  createInputScanPolicy,
  createOpenAIChatGuard,
  createRateLimitPolicy,
  createTextGuard,
  createTokenCapPolicy,
} from '@llmtrace/gateway';
import { createScanner } from '@llmtrace/security';
import { createMemoryCounterStore } from '@llmtrace/storage/memory';
import { createRedisCounterStore } from '@llmtrace/storage/redis';

const N = Number(process.env.N ?? 20_000);
const WARMUP = 2_000;
const REDIS_URL = process.env.LLMTRACE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const scanner = createScanner();
const priceOf = () => ({ input: 0.15, output: 0.6 });
const rules = [
  { match: 'prompt_injection', action: 'block', minSeverity: 'high' },
  { match: 'secret.*', action: 'redact' },
  { match: 'pii.*', action: 'flag' },
];

const SYSTEM = 'You are a helpful assistant for an online bookshop. Answer briefly and politely.';
const USERS = [
  'Can you recommend three novels similar to The Remains of the Day, and say why in one line each?',
  'My order 48213 has not arrived yet. It was due last Tuesday. What are my options for a refund?',
  'Summarise the plot of Middlemarch in under a hundred words for a book club flyer.',
  'Which of your poetry collections ship internationally, and how long does delivery to Canada take?',
];

function context(i) {
  const messages = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `${USERS[i % USERS.length]} (ref ${i})` },
  ];
  const body = { model: 'gpt-4o-mini', max_tokens: 256, messages: messages.map((m) => ({ ...m })) };
  return {
    identity: { tenantId: `tenant-${i % 50}`, agentId: 'bench' },
    method: 'POST',
    path: '/v1/chat/completions',
    headers: new Headers(),
    format: { id: 'openai.chat' },
    request: { model: 'gpt-4o-mini', stream: false, messages, params: {}, maxTokens: 256 },
    body,
  };
}

const span = { status: 'ok', promptTokens: 60, completionTokens: 120, totalTokens: 180, costUsd: 0.00008 };

let refused = 0;

async function runOnce(policies, i) {
  const ctx = context(i);
  const t0 = process.hrtime.bigint();
  const decisions = [];
  try {
    for (const p of policies) {
      const d = await p.check(ctx);
      if (d) decisions.push(d);
    }
  } catch {
    // A refusal is a policy outcome too; the pipeline would answer 403/429 here.
    refused++;
  }
  for (const d of decisions) d.onFinish?.(span);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function measure(policies) {
  for (let i = 0; i < WARMUP; i++) await runOnce(policies, i);
  const times = new Float64Array(N);
  for (let i = 0; i < N; i++) times[i] = await runOnce(policies, i);
  times.sort();
  const pct = (p) => times[Math.min(N - 1, Math.floor((p / 100) * N))];
  return { p50: pct(50), p90: pct(90), p99: pct(99) };
}

function chain({ redis, counters }) {
  const big = 1e9;
  return [
    createRateLimitPolicy({
      rules: [{ scope: 'tenant', requestsPerMinute: big, tokensPerMinute: big }],
      redis,
      keyPrefix: `bench:${process.pid}:rl:`,
    }),
    createTokenCapPolicy({ maxPromptTokens: 100_000, maxCompletionTokens: 4096 }),
    createInputScanPolicy({ scanner }),
    createEnforcementPolicy({ scanner, rules }),
    createBudgetPolicy({
      rules: [
        { scope: 'tenant', window: 'daily', hardUsd: big },
        { scope: 'agent', window: 'monthly', softUsd: big },
      ],
      counters,
      priceOf,
      keyPrefix: `bench:${process.pid}:budget:`,
    }),
  ];
}

const fmt = (r) => `p50 ${r.p50.toFixed(3)} ms  p90 ${r.p90.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms`;
const rows = [];
const baseline = await measure([]);
console.log(`baseline (no policies)            ${fmt(baseline)}   n=${N}`);

const memory = await measure(chain({ counters: createMemoryCounterStore() }));
const added = memory.p50 - baseline.p50;
console.log(`memory backends                   ${fmt(memory)}   added p50 ${added.toFixed(3)} ms`);
rows.push({ name: 'added p50, memory backends < 0.3 ms', ok: added < 0.3 });

// Parts, to see where the time goes (memory backends).
const parts = {
  'rate limit (rpm + tpm)': [
    createRateLimitPolicy({ rules: [{ scope: 'tenant', requestsPerMinute: 1e9, tokensPerMinute: 1e9 }] }),
  ],
  'input scan + enforcement': [
    createInputScanPolicy({ scanner }),
    createEnforcementPolicy({ scanner, rules }),
  ],
  'budget (2 windows)': [
    createBudgetPolicy({
      rules: [
        { scope: 'tenant', window: 'daily', hardUsd: 1e9 },
        { scope: 'agent', window: 'monthly', softUsd: 1e9 },
      ],
      counters: createMemoryCounterStore(),
      priceOf,
    }),
  ],
};
for (const [name, list] of Object.entries(parts)) {
  const r = await measure(list);
  console.log(`  ${name.padEnd(32)}${fmt(r)}   added p50 ${(r.p50 - baseline.p50).toFixed(3)} ms`);
}

// Streaming output guard: time per chunk to push an OpenAI chunk through the guard (scan + rewrite).
{
  const answer = `${'The novel follows a butler reflecting on his years of service and what he gave up for it. '.repeat(12)}`;
  const words = answer.match(/\S+\s*/g);
  const guardRules = [{ match: 'secret.*', action: 'redact' }];
  const perChunk = [];
  for (let round = 0; round < 200; round++) {
    const rw = createOpenAIChatGuard(() =>
      createTextGuard({ scan: (t) => scanner.scanResponse(t).findings, rules: guardRules }),
    );
    for (const w of words) {
      const ev = {
        data: JSON.stringify({
          id: 'c',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm',
          choices: [{ index: 0, delta: { content: w }, finish_reason: null }],
        }),
      };
      const t0 = process.hrtime.bigint();
      rw.push(ev);
      if (round >= 20) perChunk.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rw.end();
  }
  perChunk.sort((a, b) => a - b);
  const q = (p) => perChunk[Math.min(perChunk.length - 1, Math.floor((p / 100) * perChunk.length))];
  console.log(
    `output guard, per stream chunk     p50 ${q(50).toFixed(3)} ms  p90 ${q(90).toFixed(3)} ms  p99 ${q(99).toFixed(3)} ms   chunks=${perChunk.length}`,
  );
}

if (!process.env.SKIP_REDIS) {
  // ioredis comes with the gateway's own dependencies (the rate limiter takes a client).
  const req = createRequire(import.meta.resolve('@llmtrace/gateway'));
  const { Redis } = req('ioredis');
  const client = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  const counters = createRedisCounterStore({ client, keyPrefix: `bench:${process.pid}:` });
  const redisRun = await measure(chain({ redis: client, counters }));
  console.log(
    `redis backends (${REDIS_URL})  ${fmt(redisRun)}   added p50 ${(redisRun.p50 - baseline.p50).toFixed(3)} ms`,
  );
  const keys = await client.keys(`bench:${process.pid}:*`);
  if (keys.length > 0) await client.del(...keys);
  client.disconnect();
}

console.log(`requests refused by a policy during the runs: ${refused}`);
for (const r of rows) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}`);
process.exit(rows.every((r) => r.ok) ? 0 : 1);
