#!/usr/bin/env node
// A/B of proxy builds or settings: several LLMTrace proxies, a bare Node.js proxy and direct calls,
// measured round by round in one run (in a new order each round; the proxies restarted in reverse
// order halfway), so that machine noise hits every arm alike. Reports each arm's latency p50/p99
// (or time to first chunk with --stream), added over direct, and the CPU time its process (all
// threads) spent per call during its own rounds.
//
//   node bench/proxy/ab.mjs --arm new --arm old=path/to/other/dist/cli.js \
//     --arm no-cache=,LLMTRACE_SECURITY_SCAN_CACHE_CHARS=0 [--conc 10] [--rounds 8] [--seconds 3] [--stream]
//     [--document-kb 0] [--settle 500] [--verbose] [--pin]
//
// An arm is `name[=cli.js path][,ENV=value...]`; without a path it runs this checkout's build. To
// compare with an earlier commit, copy its `apps/proxy/dist` inside the checkout (so that it finds
// the same node_modules), e.g. to `apps/proxy/dist-base`, and delete it afterwards.
// --pin (Linux, `taskset`) runs the load generator and the upstream on CPU 0 and every proxy on
// CPU 1, where a proxy's own threads (the SQLite insert thread, V8's helpers) compete with its
// event loop rather than with the load generator.
// CPU per call comes from /proc (Linux); elsewhere it is left out. After each round the proxy is
// left `--settle` ms to finish what it deferred (analysis, the writer's batch, the inserts), so that
// work is counted in its own round and does not slow the next arm's calls. In A/A runs (two arms
// of the same build) the arms came within 5% of CPU per call and 0.05 ms of p50 and p99 on a quiet
// machine, and 20% and 0.9 ms of p99 on a noisier one; single rounds vary far more (`--verbose`
// shows them), so repeat a run before trusting a small difference.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../../packages/proxy/test/fixtures/seeded.mjs';
import { load as loadOnce, percentile } from './load.mjs';
import { cpuMs, onProxyCpu, pinLoadGenerator, rssMb, startListening } from './processes.mjs';

const { values: args } = parseArgs({
  options: {
    arm: { type: 'string', multiple: true, default: ['proxy'] },
    conc: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '3' },
    delay: { type: 'string', default: '20' },
    stream: { type: 'boolean', default: false },
    // KB of document in every call's user message (retrieval-augmented calls); 0 for none.
    'document-kb': { type: 'string', default: '0' },
    'warmup-calls': { type: 'string', default: '12000' },
    settle: { type: 'string', default: '500' },
    verbose: { type: 'boolean', default: false },
    // Load generator and upstream on CPU 0, the proxies (and the bare one) on CPU 1.
    pin: { type: 'boolean', default: false },
  },
});
if (args.pin) pinLoadGenerator();
const CONC = Number(args.conc);
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const STREAM = args.stream;
const SETTLE_MS = Number(args.settle);
const cli = fileURLToPath(new URL('../../apps/proxy/dist/cli.js', import.meta.url));
const floorScript = fileURLToPath(new URL('./floor-proxy.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'llmtrace-ab-'));

/** `name[=cli][,ENV=value...]` */
function parseArm(spec) {
  const [head, ...envs] = spec.split(',');
  const eq = head.indexOf('=');
  const name = eq === -1 ? head : head.slice(0, eq);
  const script = eq === -1 || head.slice(eq + 1) === '' ? cli : resolve(head.slice(eq + 1));
  if (!existsSync(script)) throw new Error(`arm ${name}: ${script} does not exist (build first)`);
  const env = Object.fromEntries(
    envs.map((kv) => {
      const i = kv.indexOf('=');
      if (i <= 0) throw new Error(`arm ${name}: expected ENV=value, got ${JSON.stringify(kv)}`);
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
  return { name, script, env };
}

/** Start a Node process; a proxy goes on CPU 1 with --pin. */
function start(argv, env, match, script = cli, { proxy = true } = {}) {
  const command = [process.execPath, script, ...argv];
  return startListening(onProxyCpu(command, args.pin && proxy), { env, cwd: dir, match });
}

/** {@link loadOnce}, streaming or not as `--stream` says unless told. */
const load = (url, conc, seconds, { calls, stream = STREAM } = {}) =>
  loadOnce(url, conc, seconds, { calls, stream, documentKb: Number(args['document-kb']) });

const specs = args.arm.map(parseArm);
const upstream = await start(
  ['mock-upstream', '--port', '0', '--delay', args.delay, '--chunk-delay', '2'],
  {},
  /listening on (http:\/\/\S+)/,
  cli,
  { proxy: false },
);
const floor = { name: 'floor' };
const proxies = specs.map((spec) => ({ name: spec.name }));
const arms = [{ name: 'direct', url: upstream.url }, floor, ...proxies];

/** Start the LLMTrace arms in this order (indexes into `specs`), each with a new database. */
async function startProxies(order, half) {
  for (const i of order) {
    const spec = specs[i];
    const p = await start(
      ['--listen', '127.0.0.1:0', '--upstream', upstream.url],
      {
        LLMTRACE_CONFIG: '',
        LLMTRACE_STORAGE_PROFILE: 'sqlite',
        LLMTRACE_STORAGE_DATABASE_PATH: join(dir, `arm${i}-${half}.db`),
        ...spec.env,
      },
      /"url":"(http:\/\/[^"]+)"/,
      spec.script,
    );
    Object.assign(proxies[i], { url: p.url, child: p.child });
  }
}

async function stopProxies() {
  const exits = proxies.map((a) => new Promise((r) => a.child.once('exit', r)));
  for (const a of proxies) a.child.kill('SIGTERM');
  await Promise.all(exits);
}

/**
 * Warm every arm: JIT, keep-alive pools, SQLite; the proxies until their code is optimized. In
 * turns, so that no proxy sits idle for long between its warm-up and its first round.
 */
async function warmUp(which) {
  const warm = Number(args['warmup-calls']);
  const TURNS = 4;
  for (let t = 0; t < TURNS; t++) {
    for (const a of which) {
      await load(a.url, 16, 600, { calls: Math.ceil((a.child ? warm : 2000) / TURNS), stream: false });
      await load(a.url, 16, 600, { calls: Math.ceil(warm / 8 / TURNS), stream: true });
    }
  }
}

/** 0..n-1 in a random order (Fisher–Yates). */
function shuffledIndexes(n, random) {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const results = arms.map(() => ({ lat: [], ttfb: [], cpuMs: 0, errors: 0 }));
const rss = arms.map(() => []);
try {
  Object.assign(floor, await start([upstream.url], {}, /listening on (http:\/\/\S+)/, floorScript));
  await warmUp(arms.slice(0, 2));
  // Each round in its own order (seeded, so runs repeat): with a fixed rotation each arm always
  // follows the same other arm. And the proxies run in two halves, started in one order and then in
  // the other: in A/A runs (two arms of the same build) the proxy started first did worse in every
  // run, by up to a fifth of CPU per call and over a millisecond of p99.
  const random = mulberry32(1);
  for (let half = 0; half < 2; half++) {
    const startOrder = specs.map((_, i) => i);
    await startProxies(half === 0 ? startOrder : startOrder.reverse(), half);
    await warmUp(proxies);
    const rounds = half === 0 ? Math.ceil(ROUNDS / 2) : Math.floor(ROUNDS / 2);
    for (let r = 0; r < rounds; r++) {
      for (const k of shuffledIndexes(arms.length, random)) {
        const a = arms[k];
        const before = a.child ? cpuMs(a.child.pid) : 0;
        const x = await load(a.url, CONC, SECONDS);
        // What a proxy defers (analysis, the writer's batches, the inserts) finishes before the
        // next arm's round starts: counted in its own CPU, and not slowing the next arm's calls.
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const cpu = a.child ? cpuMs(a.child.pid) - before : 0;
        results[k].cpuMs += cpu;
        if (args.verbose && a.child) {
          const sorted = [...x.lat].sort((p, q) => p - q);
          console.log(
            `half ${half} round ${r} ${a.name}: cpu ${(cpu / x.lat.length).toFixed(3)} ms/call, p99 ${percentile(sorted, 99).toFixed(2)} ms`,
          );
        }
        results[k].lat.push(...x.lat);
        results[k].ttfb.push(...x.ttfb);
        results[k].errors += x.errors;
      }
    }
    for (const [k, a] of arms.entries()) if (a.child) rss[k].push(rssMb(a.child.pid));
    if (half === 0) await stopProxies();
  }
  for (const r of results) {
    r.lat.sort((a, b) => a - b);
    r.ttfb.sort((a, b) => a - b);
  }
  const what = STREAM ? 'first chunk' : 'latency';
  console.log(`c=${CONC}, ${ROUNDS} rounds of ${SECONDS} s per arm, ${what} in ms`);
  const base = STREAM ? results[0].ttfb : results[0].lat;
  for (const [i, a] of arms.entries()) {
    const r = results[i];
    const m = STREAM ? r.ttfb : r.lat;
    const cpu = a.child ? (r.cpuMs / r.lat.length).toFixed(3) : '';
    console.log(
      [
        a.name.padEnd(14),
        `calls ${String(r.lat.length).padStart(6)}`,
        `p50 ${percentile(m, 50).toFixed(3)}`,
        `p99 ${percentile(m, 99).toFixed(3)}`,
        `added p50 ${(percentile(m, 50) - percentile(base, 50)).toFixed(3)}`,
        `p99 ${(percentile(m, 99) - percentile(base, 99)).toFixed(3)}`,
        a.child ? `cpu ${cpu} ms/call` : '',
        a.child ? `rss ${rss[i].map((v) => v.toFixed(1)).join(', ')} MB` : '',
        r.errors ? `errors ${r.errors}` : '',
      ]
        .filter(Boolean)
        .join(' | '),
    );
  }
} finally {
  for (const a of arms) a.child?.kill('SIGTERM');
  upstream.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
