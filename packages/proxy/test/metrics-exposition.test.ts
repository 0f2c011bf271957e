import type { Finding, Span } from '@llmtrace/core';
import {
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  Registry,
} from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createMetrics,
  GENAI_DURATION_BUCKETS,
  GENAI_TOKEN_BUCKETS,
  GENAI_TTFT_BUCKETS,
} from '../src/metrics/index.js';
import { createRegistry, type MetricRegistry } from '../src/metrics/prometheus.js';
import { promClientGatewayMetrics } from './fixtures/prom-client-metrics.mjs';
import { mulberry32 } from './fixtures/seeded.mjs';

// The in-house metrics must serve exactly the text prom-client 15 served: the same random updates go
// to both, and the two expositions are compared byte for byte.

/** Seeded PRNG (mulberry32), so a failing seed replays. */
function rng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

// No commas: prom-client keys a series by `name:value,` pairs, so values holding `,name:` can merge
// two label sets there (the in-house index keeps them apart).
const TRICKY = [
  'gpt-4o',
  '',
  'a"b',
  'back\\slash',
  'new\nline',
  '\\n',
  '\\"',
  '"',
  '\\',
  'x:y',
  'modèle',
  ' ',
  '+Inf',
];
const ALPHABET = ['a', 'b', '"', '\\', '\n', ':', '-', ' ', 'é', '{', '}', '='];

function labelValue(r: Rng): string {
  if (r.chance(0.85)) return r.pick(TRICKY);
  return Array.from({ length: r.int(6) }, () => r.pick(ALPHABET)).join('');
}

/** The largest double below / the smallest above `x` (x > 0). */
function neighbours(x: number): [number, number] {
  const f = new Float64Array([x]);
  const i = new BigInt64Array(f.buffer);
  i[0]! -= 1n;
  const below = f[0]!;
  i[0]! += 2n;
  return [below, f[0]!];
}

/** A value on, just around, or away from one of `bounds`. */
function nearBound(r: Rng, bounds: readonly number[]): number {
  const b = r.pick(bounds);
  const [below, above] = neighbours(b);
  return r.pick([b, below, above, b * 0.5, b * 3, 0, -0, -b, 1e-7, 0.1 + 0.2, r.next() * b * 2, 1e21]);
}

function counterValue(r: Rng): number | undefined {
  return r.pick([undefined, 0, 1, 3, 0.1, 0.2, 1e-7, 0.30000000000000004, 1e21, r.next() * 100, r.int(5000)]);
}

function gaugeValue(r: Rng): number {
  return r.pick([
    0,
    -1,
    2.5,
    1e-7,
    -1e21,
    r.next() * 1000,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ]);
}

const TINY_BUCKETS = [1e-7, 1e-6, 0.1, 0.30000000000000004, 1, 1e21];
const HELP = 'Help with "quotes", a \\ backslash\nand a newline';

type Kind = 'counter' | 'gauge' | 'histogram';
interface Spec {
  kind: Kind;
  name: string;
  help: string;
  labelNames: string[];
  buckets?: readonly number[];
}

/** Families updated by the random operations (in registration order, collect families follow). */
const SPECS: Spec[] = [
  { kind: 'counter', name: 'calls_total', help: HELP, labelNames: ['route', 'model', 'status'] },
  { kind: 'counter', name: 'plain_total', help: 'No labels', labelNames: [] },
  { kind: 'counter', name: 'four_total', help: 'Four labels', labelNames: ['a', 'b', 'c', 'd'] },
  { kind: 'counter', name: 'le_total', help: 'A counter may use le', labelNames: ['le', 'model'] },
  {
    kind: 'histogram',
    name: 'duration_seconds',
    help: 'Durations',
    labelNames: ['route', 'model'],
    buckets: GENAI_DURATION_BUCKETS,
  },
  {
    kind: 'histogram',
    name: 'token_usage',
    help: 'Tokens',
    labelNames: ['op', 'provider', 'model', 'type'],
    buckets: GENAI_TOKEN_BUCKETS,
  },
  { kind: 'histogram', name: 'tiny', help: 'Odd bounds', labelNames: ['model'], buckets: TINY_BUCKETS },
  {
    kind: 'histogram',
    name: 'ttft_seconds',
    help: 'Unlabelled',
    labelNames: [],
    buckets: GENAI_TTFT_BUCKETS,
  },
  {
    kind: 'histogram',
    name: 'never_seconds',
    help: 'Never observed',
    labelNames: ['model'],
    buckets: [1, 2],
  },
  { kind: 'counter', name: 'never_total', help: 'Never incremented', labelNames: ['model'] },
  { kind: 'gauge', name: 'level', help: 'Set directly', labelNames: ['model'] },
];

const DEFAULT_LABELS: Array<Record<string, string> | undefined> = [
  undefined,
  { instance_role: 'proxy' },
  { model: 'default-model', zone: 'eu "1"\\\n' },
  { le: 'x', instance: 'i' },
];

/** What the scrape-time callbacks read; the operations change it. */
interface Scraped {
  queue?: number;
  dropped?: number;
  breakers: Array<[string, number]>;
}

/** One implementation under test, driven through label-value arrays. */
interface Sink {
  inc(spec: Spec, values: string[], value: number | undefined): void;
  observe(spec: Spec, values: string[], value: number): void;
  set(spec: Spec, values: string[], value: number): void;
  text(): Promise<string>;
}

function ours(defaults: Record<string, string> | undefined, scraped: Scraped): Sink {
  const registry: MetricRegistry = createRegistry(defaults);
  const families = new Map<string, unknown>();
  for (const s of SPECS) {
    const spec = { name: s.name, help: s.help, labelNames: s.labelNames };
    if (s.kind === 'counter') families.set(s.name, registry.counter(spec));
    else if (s.kind === 'gauge') families.set(s.name, registry.gauge(spec));
    else families.set(s.name, registry.histogram({ ...spec, buckets: s.buckets! }));
  }
  registry.gauge({
    name: 'queue',
    help: 'Read at scrape',
    collect(g) {
      if (scraped.queue !== undefined) g.set(scraped.queue);
    },
  });
  registry.counter({
    name: 'dropped_total',
    help: 'Reset and set at scrape',
    collect(c) {
      if (scraped.dropped === undefined) return;
      c.reset();
      c.inc(scraped.dropped);
    },
  });
  registry.gauge({
    name: 'breaker',
    help: 'Rebuilt at scrape',
    labelNames: ['breaker'],
    collect(g) {
      g.reset();
      for (const [name, value] of scraped.breakers) g.set(value, name);
    },
  });
  const get = <T>(spec: Spec) => families.get(spec.name) as T;
  return {
    inc: (spec, v, value) =>
      get<ReturnType<MetricRegistry['counter']>>(spec).inc(value, v[0], v[1], v[2], v[3]),
    observe: (spec, v, value) =>
      get<ReturnType<MetricRegistry['histogram']>>(spec).observe(value, v[0], v[1], v[2], v[3]),
    set: (spec, v, value) =>
      get<ReturnType<MetricRegistry['gauge']>>(spec).set(value, v[0], v[1], v[2], v[3]),
    text: async () => registry.metrics(),
  };
}

function promClient(defaults: Record<string, string> | undefined, scraped: Scraped): Sink {
  const registry = new Registry();
  if (defaults) registry.setDefaultLabels(defaults);
  const registers = [registry];
  const families = new Map<string, PromCounter | PromGauge | PromHistogram>();
  for (const s of SPECS) {
    const spec = { name: s.name, help: s.help, labelNames: s.labelNames, registers };
    if (s.kind === 'counter') families.set(s.name, new PromCounter(spec));
    else if (s.kind === 'gauge') families.set(s.name, new PromGauge(spec));
    else families.set(s.name, new PromHistogram({ ...spec, buckets: [...s.buckets!] }));
  }
  new PromGauge({
    name: 'queue',
    help: 'Read at scrape',
    registers,
    collect() {
      if (scraped.queue !== undefined) this.set(scraped.queue);
    },
  });
  new PromCounter({
    name: 'dropped_total',
    help: 'Reset and set at scrape',
    registers,
    collect() {
      if (scraped.dropped === undefined) return;
      this.reset();
      this.inc(scraped.dropped);
    },
  });
  new PromGauge({
    name: 'breaker',
    help: 'Rebuilt at scrape',
    labelNames: ['breaker'],
    registers,
    collect() {
      this.reset();
      for (const [name, value] of scraped.breakers) this.set({ breaker: name }, value);
    },
  });
  const labels = (spec: Spec, values: string[]) =>
    Object.fromEntries(spec.labelNames.map((name, i) => [name, values[i]!]));
  return {
    inc: (spec, v, value) => (families.get(spec.name) as PromCounter).inc(labels(spec, v), value as number),
    observe: (spec, v, value) => (families.get(spec.name) as PromHistogram).observe(labels(spec, v), value),
    set: (spec, v, value) => (families.get(spec.name) as PromGauge).set(labels(spec, v), value),
    text: () => registry.metrics(),
  };
}

/** Apply `op` to both; when one throws (a negative counter step), the other must throw too. */
function both(sinks: Sink[], op: (s: Sink) => void): void {
  const threw = sinks.map((s) => {
    try {
      op(s);
      return false;
    } catch {
      return true;
    }
  });
  expect(new Set(threw).size).toBe(1);
}

describe('in-house Prometheus metrics match prom-client 15', () => {
  const used = SPECS.filter((s) => !s.name.startsWith('never'));
  for (let seed = 1; seed <= 24; seed++) {
    const defaults = DEFAULT_LABELS[seed % DEFAULT_LABELS.length];
    it(`seed ${seed}, default labels ${JSON.stringify(defaults)}`, async () => {
      const r = rng(seed);
      const scraped: Scraped = { breakers: [] };
      const sinks = [ours(defaults, scraped), promClient(defaults, scraped)];
      // A small pool per seed, so label sets repeat and series accumulate.
      const pool = Array.from({ length: 6 }, () => labelValue(r));
      for (let i = 0; i < 600; i++) {
        const spec = r.pick(used);
        const values = spec.labelNames.map(() => (r.chance(0.9) ? r.pick(pool) : labelValue(r)));
        if (spec.kind === 'counter') {
          const value = r.chance(0.02) ? -1 : counterValue(r);
          both(sinks, (s) => s.inc(spec, values, value));
        } else if (spec.kind === 'histogram') {
          const value = r.chance(0.02)
            ? r.pick([Number.NaN, Number.POSITIVE_INFINITY])
            : nearBound(r, spec.buckets!);
          both(sinks, (s) => s.observe(spec, values, value));
        } else {
          const value = gaugeValue(r);
          both(sinks, (s) => s.set(spec, values, value));
        }
        if (r.chance(0.05)) scraped.queue = r.int(100);
        if (r.chance(0.05)) scraped.dropped = (scraped.dropped ?? 0) + r.int(3);
        if (r.chance(0.05)) {
          scraped.breakers = Array.from({ length: r.int(4) }, () => [
            r.pick(['writer', 'store', ...pool]),
            r.int(3),
          ]);
        }
        if (i % 97 === 0) {
          const [a, b] = await Promise.all(sinks.map((s) => s.text()));
          expect(a).toBe(b);
        }
      }
      const [a, b] = await Promise.all(sinks.map((s) => s.text()));
      expect(a).toBe(b);
    });
  }
});

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

function randomFinding(r: Rng): Finding {
  return {
    type: r.pick(['pii.email', 'prompt_injection', 'secret.openai_key', labelValue(r)]),
    severity: r.pick(SEVERITIES),
    confidence: 1,
    detector: 'test',
    message: 'm',
  };
}

function randomSpan(r: Rng): Span {
  const ms = (bounds: readonly number[]) => nearBound(r, bounds) * 1000;
  const statusCode = r.pick([200, 201, 400, 401, 429, 500, 502]);
  return {
    traceId: 't',
    spanId: 's',
    tenantId: 'acme',
    operation: r.pick(['chat', 'completion', 'embedding', 'responses', 'messages', 'other'] as const),
    provider: r.pick(['openai', 'anthropic', labelValue(r)]),
    model: r.pick(['gpt-4o-mini', 'claude-sonnet', '', labelValue(r)]),
    path: r.chance(0.7) ? r.pick(['/v1/chat/completions', '/v1/messages', labelValue(r)]) : undefined,
    startTime: 0,
    endTime: 0,
    durationMs: Math.abs(ms(GENAI_DURATION_BUCKETS)),
    ttftMs: r.chance(0.5) ? Math.abs(ms(GENAI_TTFT_BUCKETS)) : undefined,
    stream: false,
    statusCode,
    status: statusCode >= 400 ? r.pick(['error', 'blocked'] as const) : 'ok',
    promptTokens: r.pick([0, 1, 2, 4, 5, 16, 17, 255, 256, 257, r.int(100_000)]),
    completionTokens: r.pick([0, 1, 3, 64, 65, r.int(5000)]),
    totalTokens: 0,
    usageSource: r.pick(['upstream', 'estimated', 'none'] as const),
    costUsd: r.chance(0.7) ? r.pick([0, 1e-7, 0.000125, 0.1, 0.2, r.next()]) : undefined,
    securityScore: 0,
    findings: Array.from({ length: r.chance(0.3) ? r.int(4) : 0 }, () => randomFinding(r)),
    prompt: [],
    response: '',
    toolCalls: [],
    tags: {},
  };
}

describe('createMetrics matches the prom-client build it replaces', () => {
  const options: Array<{ prefix?: string; defaultLabels?: Record<string, string> }> = [
    {},
    { prefix: 'gw_', defaultLabels: { instance_role: 'proxy' } },
    { defaultLabels: { model: 'default', le: 'x', note: 'a "b"\\\n' } },
  ];
  for (let seed = 1; seed <= 12; seed++) {
    const opts = options[seed % options.length]!;
    it(`seed ${seed}, options ${JSON.stringify(opts)}`, async () => {
      const r = rng(1000 + seed);
      // The process's memory has no counterpart in the reference, and reads differently every time.
      const next = createMetrics({ ...opts, processMetrics: false });
      const ref = promClientGatewayMetrics({
        prefix: opts.prefix ?? 'llmtrace_',
        defaultLabels: opts.defaultLabels,
        buckets: { duration: GENAI_DURATION_BUCKETS, tokens: GENAI_TOKEN_BUCKETS, ttft: GENAI_TTFT_BUCKETS },
      });
      let breakers: Record<string, 'closed' | 'open' | 'half-open'> = {};
      next.setWriterStats(() => {
        const w = ref.scraped.writer;
        if (!w) throw new Error('no writer yet');
        return {
          queued: w.queue,
          dropped: w.dropped,
          skipped: w.skipped,
          spoolPending: w.spool,
          breaker: w.breaker,
        };
      });
      next.setBreakerStates(() => breakers);
      for (let i = 0; i < 400; i++) {
        const roll = r.next();
        if (roll < 0.8) {
          const span = randomSpan(r);
          next.observeSpan(span);
          ref.observeSpan(span);
        } else if (roll < 0.87) {
          const f = randomFinding(r);
          const action = r.pick(['blocked', 'flagged'] as const);
          next.observeFinding(f, action);
          ref.observeFinding(f, action);
        } else if (roll < 0.94) {
          const [channel, ok, type] = [
            r.pick(['webhook', 'slack', labelValue(r)]),
            r.chance(0.5),
            labelValue(r),
          ];
          next.observeAlertDelivery({ channel, ok, event: { type } });
          ref.observeAlertDelivery(channel, ok, type);
        } else {
          const dropped = (ref.scraped.writer?.dropped ?? 0) + r.int(5);
          const breaker = r.chance(0.8) ? r.pick(['closed', 'open', 'half-open'] as const) : undefined;
          const spool = r.chance(0.5) ? r.int(50) : undefined;
          const skipped = r.chance(0.7) ? (ref.scraped.writer?.skipped ?? 0) + r.int(5) : undefined;
          ref.scraped.writer = { queue: r.int(100), dropped, skipped, spool, breaker };
          breakers = Object.fromEntries(
            Array.from({ length: r.int(3) }, () => [
              r.pick(['store', 'scanner', 'writer']),
              r.pick(['closed', 'open', 'half-open'] as const),
            ]),
          );
          ref.setBreakers(breakers);
        }
        if (i % 101 === 0) expect(await next.text()).toBe(await ref.text());
      }
      expect(await next.text()).toBe(await ref.text());
    });
  }
});
