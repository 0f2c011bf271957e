#!/usr/bin/env node
// Where a proxy's CPU goes, per call, and what keeps its event loop busy: `perf record` (Linux) on
// an LLMTrace proxy and on the bare Node proxy (floor-proxy.mjs) under the same closed-loop load.
//
//   pnpm build && node bench/proxy/profile.mjs [--seconds 15] [--conc 10] [--warmup-seconds 20]
//     [--frequency 1999] [--target proxy,floor] [--pin] [--keep]
//
// For each target it prints:
// - CPU per call of each thread (µs; the main thread, the SQLite insert thread, V8's helpers), the
//   time each waited for a CPU (run-queue wait, from /proc), and the main thread's CPU by code (JS,
//   the node binary, the kernel, libc, SQLite);
// - the main thread's busy stretches: runs of on-CPU samples with no gap longer than 1.5 sample
//   periods, what they were made of (span analysis, the span writer, garbage collection, the
//   rest: requests and responses), how many per 1000 calls lasted 1 ms or more and 2 ms or more,
//   and the longest ones. A request whose turn comes during a stretch waits for the slice running.
// --pin (needs `taskset`): the load generator and the upstream on CPU 0, the profiled proxy on CPU 1,
// where its own threads compete with its event loop for the one core.
// Needs `perf` and permission to profile another process (root, or kernel.perf_event_paranoid <= 1).
// Samples are CPU-clock samples: a stretch is time on CPU, not time the thread waited to get one.
// V8's perf map keeps every address it ever gave out: where the JIT reused the address of collected
// code, a few frames carry an older function's name (a PII helper inside undici's header parser).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { load } from './load.mjs';
import { onProxyCpu, pinLoadGenerator, runQueueWaitNs, startListening } from './processes.mjs';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    conc: { type: 'string', default: '10' },
    'warmup-seconds': { type: 'string', default: '20' },
    frequency: { type: 'string', default: '1999' },
    target: { type: 'string', default: 'proxy,floor' },
    delay: { type: 'string', default: '20' },
    pin: { type: 'boolean', default: false },
    // Keep the perf data files (their folder is printed) instead of deleting them.
    keep: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const CONC = Number(args.conc);
const HZ = Number(args.frequency);
const cli = fileURLToPath(new URL('../../apps/proxy/dist/cli.js', import.meta.url));
const floorScript = fileURLToPath(new URL('./floor-proxy.mjs', import.meta.url));

try {
  execFileSync('perf', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('profile.mjs needs Linux perf on the PATH (Debian: apt-get install linux-perf)');
  process.exit(2);
}

if (args.pin) pinLoadGenerator('the profiled proxy');
const onCpu1 = (command) => onProxyCpu(command, args.pin);

const dir = mkdtempSync(join(tmpdir(), 'llmtrace-profile-'));
const upstream = await startListening(
  [process.execPath, cli, 'mock-upstream', '--port', '0', '--delay', args.delay, '--chunk-delay', '2'],
  { match: /listening on (http:\/\/\S+)/ },
);

/** Start a target with V8's perf map, so that perf names JIT-compiled JavaScript. */
function startTarget(name) {
  if (name === 'floor')
    return startListening(onCpu1([process.execPath, '--perf-basic-prof', floorScript, upstream.url]), {
      match: /listening on (http:\/\/\S+)/,
    });
  return startListening(
    onCpu1([
      process.execPath,
      '--perf-basic-prof',
      cli,
      '--listen',
      '127.0.0.1:0',
      '--upstream',
      upstream.url,
    ]),
    {
      cwd: dir,
      env: {
        LLMTRACE_CONFIG: '',
        LLMTRACE_STORAGE_PROFILE: 'sqlite',
        LLMTRACE_STORAGE_DATABASE_PATH: join(dir, `${name}.db`),
      },
      match: /"url":"(http:\/\/[^"]+)"/,
    },
  );
}

/** Record `SECONDS` of the process under load; resolves with the data file and the calls made. */
async function record(name, target) {
  await load(target.url, CONC, Number(args['warmup-seconds']));
  const file = join(dir, `${name}.data`);
  const perf = spawn(
    'perf',
    [
      'record',
      '-F',
      String(HZ),
      '-g',
      '-p',
      String(target.child.pid),
      '-o',
      file,
      '--',
      'sleep',
      String(SECONDS),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => perf.once('exit', resolve));
  // perf needs a moment to attach; load for as long as it records.
  const before = runQueueWaitNs(target.child.pid);
  const run = await load(target.url, CONC, SECONDS);
  const after = runQueueWaitNs(target.child.pid);
  await exited;
  const waits = new Map([...after].map(([tid, ns]) => [tid, ns - (before.get(tid) ?? 0)]));
  return { file, calls: run.count, waits };
}

/** Samples as `{ tid, time (s), frames (innermost first, `symbol dso`) }`. */
function samples(file) {
  const text = execFileSync('perf', ['script', '-i', file, '-F', 'tid,time,ip,sym,dso'], {
    maxBuffer: 1 << 30,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const out = [];
  let cur;
  for (const line of text.split('\n')) {
    const head = /^\s*(\d+)\s+(\d+\.\d+):/.exec(line);
    if (head) {
      cur = { tid: Number(head[1]), time: Number(head[2]), frames: [] };
      out.push(cur);
    } else if (cur && line.trim()) cur.frames.push(line.trim().replace(/^[\da-f]+\s+/, ''));
  }
  return out;
}

const CATEGORIES = [
  ['gc', /Scavenge|MarkCompact|Heap::Collect|Heap::PerformGarbageCollection/],
  ['writer', /insertInSlices|rowValues/],
  ['analysis', /runSlice|analyzeCall/],
];
const category = (frames) => {
  const all = frames.join('\n');
  for (const [name, re] of CATEGORIES) if (re.test(all)) return name;
  return 'requests';
};
const dsoGroup = (frame) => {
  const dso = /\(([^)]*)\)\s*$/.exec(frame)?.[1] ?? '';
  if (dso.includes('kernel')) return 'kernel';
  if (dso.includes('perf-') || dso.includes('[JIT]')) return 'JS (JIT)';
  if (dso.includes('better_sqlite3')) return 'SQLite';
  if (dso.includes('libc')) return 'libc';
  if (/\/node$|\bnode\b/.test(dso)) return 'node (V8, libuv, builtins)';
  return 'other';
};
const us = (n, calls) => ((n / HZ / calls) * 1e6).toFixed(1);

function report(name, pid, data) {
  const all = samples(data.file);
  const { calls } = data;
  console.log(`\n${name}: ${calls} calls in ${SECONDS} s at c=${CONC}, ${all.length} samples at ${HZ} Hz`);
  const byTid = new Map();
  for (const s of all) byTid.set(s.tid, (byTid.get(s.tid) ?? 0) + 1);
  const total = [...byTid.values()].reduce((a, b) => a + b, 0);
  console.log(`  CPU per call, all threads: ${us(total, calls)} µs`);
  const threads = [...byTid].sort((a, b) => b[1] - a[1]);
  const waited = (tid) => {
    const ns = data.waits.get(tid);
    return ns === undefined ? '' : `, waited for a CPU ${(ns / 1000 / calls).toFixed(1)} µs`;
  };
  for (const [tid, n] of threads.slice(0, 6))
    console.log(`    thread ${tid}${tid === pid ? ' (main)' : ''}: ${us(n, calls)} µs${waited(tid)}`);
  const main = all.filter((s) => s.tid === pid);
  const byDso = new Map();
  for (const s of main) {
    const g = dsoGroup(s.frames[0] ?? '');
    byDso.set(g, (byDso.get(g) ?? 0) + 1);
  }
  console.log(
    `  main thread by code: ${[...byDso]
      .sort((a, b) => b[1] - a[1])
      .map(([g, n]) => `${g} ${us(n, calls)}`)
      .join(', ')} µs per call`,
  );
  const byCat = new Map();
  for (const s of main) {
    s.cat = category(s.frames);
    byCat.set(s.cat, (byCat.get(s.cat) ?? 0) + 1);
  }
  console.log(
    `  main thread by work: ${[...byCat]
      .sort((a, b) => b[1] - a[1])
      .map(([g, n]) => `${g} ${us(n, calls)}`)
      .join(', ')} µs per call`,
  );
  // Busy stretches: consecutive samples no more than 1.5 periods apart.
  const gap = 1.5 / HZ;
  const stretches = [];
  let cur;
  for (const s of main) {
    if (cur && s.time - cur.last <= gap) {
      cur.last = s.time;
      cur.mix[s.cat] = (cur.mix[s.cat] ?? 0) + 1;
    } else {
      cur = { first: s.time, last: s.time, mix: { [s.cat]: 1 } };
      stretches.push(cur);
    }
  }
  const ms = (st) => (st.last - st.first) * 1000 + 1000 / HZ;
  const per1000 = (min) => ((stretches.filter((st) => ms(st) >= min).length / calls) * 1000).toFixed(1);
  console.log(`  busy stretches per 1000 calls: >= 1 ms ${per1000(1)}, >= 2 ms ${per1000(2)}`);
  const longest = stretches.sort((a, b) => ms(b) - ms(a)).slice(0, 8);
  for (const st of longest) {
    const mix = Object.entries(st.mix)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    console.log(`    ${ms(st).toFixed(2)} ms: ${mix} (samples)`);
  }
}

try {
  for (const name of args.target.split(',')) {
    const target = await startTarget(name);
    try {
      const data = await record(name, target);
      report(name, target.child.pid, data);
    } finally {
      target.child.kill('SIGTERM');
    }
  }
} finally {
  upstream.child.kill('SIGTERM');
  if (args.keep) console.log(`\nperf data kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
