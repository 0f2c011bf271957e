#!/usr/bin/env node
// Bytes the JavaScript heap allocates per proxied call: LLMTrace against the bare Node proxy
// (floor-proxy.mjs), same calls, same run. Allocation drives garbage-collection time and pauses,
// and unlike latency it barely moves with machine noise, so it shows what a change costs.
//
//   pnpm build && node bench/proxy/alloc.mjs [--calls 20000] [--conc 10] [--sites 25]
//
// Each process runs with --trace-gc-nvp, which reports the bytes allocated since the previous
// collection at every collection (all its threads' heaps); a minor collection forced at the start
// and end of each measured load (SIGUSR2, --expose-gc, heap-sites.mjs) closes the count. The same
// log gives each process's main-thread scavenges during the load: their pauses, phases and the
// bytes that survived them (a scavenge copies what survives, so its pause grows with that).
// `--sites N` also samples where the bytes are allocated (V8's sampling heap profiler, garbage
// included) during each measured load and prints each process's N top functions by bytes per
// call: what a change meant to cut allocation should aim at. The profiler costs CPU, not heap.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { chatBody } from './chat-body.mjs';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    conc: { type: 'string', default: '10' },
    sites: { type: 'string', default: '0' },
  },
});
const CALLS = Number(args.calls);
const CONC = Number(args.conc);
const SITES = Number(args.sites);
const cli = fileURLToPath(new URL('../../apps/proxy/dist/cli.js', import.meta.url));
const floorScript = fileURLToPath(new URL('./floor-proxy.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'llmtrace-alloc-'));
const CHECKPOINT = [
  '--expose-gc',
  '--trace-gc-nvp',
  `--import=${new URL('./heap-sites.mjs', import.meta.url)}`,
];
/** With `--sites`, where each process writes its allocation profiles (heap-sites.mjs). */
const sitesEnv = (name) => (SITES > 0 ? { LLMTRACE_BENCH_HEAP_SITES: join(dir, name) } : {});

function start(args, env, match, gcLog) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', gcLog ? openSync(gcLog, 'w') : 'ignore', 'pipe'],
    });
    let buf = '';
    child.stderr.on('data', (d) => {
      buf += d;
      const m = match.exec(buf);
      if (m) resolve({ child, url: m[1], gcLog });
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${buf}`)));
  });
}

async function load(url, calls, stream) {
  const pool = new Pool(url, { connections: CONC });
  let sent = 0;
  const worker = async () => {
    while (sent++ < calls) {
      const res = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
        body: chatBody(stream),
      });
      await res.body.dump();
    }
  };
  await Promise.all(Array.from({ length: CONC }, worker));
  await pool.close();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Bytes allocated, and bytes promoted to the old generation (which the heap grows by until a
 * full collection), up to the last collection the process reported.
 */
function totals(proc) {
  const lines = readFileSync(proc.gcLog, 'utf8').split('\n');
  const sum = { allocated: 0, promoted: 0, lines };
  for (const line of lines) {
    sum.allocated += Number(/ allocated=(\d+)/.exec(line)?.[1] ?? 0);
    sum.promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
  }
  return sum;
}

/** Scavenge phases worth telling apart (V8's `--trace-gc-nvp` names, in ms). */
const PHASES = [
  'scavenge.roots',
  'scavenge.parallel',
  'scavenge.update_refs',
  'scavenge.weak_global_handles.process',
  'scavenge.sweep_array_buffers',
  'scavenge.free_remembered_set',
  'heap.external.epilogue',
];

/**
 * The main thread's scavenges (minor collections) among the log lines from `from` on (those since
 * the previous checkpoint), the last of them (the checkpoint's own) left out: how many, their mean
 * pause, mean time per phase and bytes that survived. The main thread is the isolate that logged
 * first; workers log under their own.
 */
function scavenges(lines, from) {
  const main = /^\[\d+:(0x[0-9a-f]+)\]/.exec(lines.find((l) => l.includes('gc=')) ?? '')?.[1];
  const field = (line, name) =>
    Number(new RegExp(` ${name.replaceAll('.', '\\.')}=([\\d.]+)`).exec(line)?.[1] ?? 0);
  const mine = lines.slice(from).filter((l) => l.includes(`:${main}]`) && l.includes(' gc=s '));
  mine.pop();
  const mean = (name) => mine.reduce((a, l) => a + field(l, name), 0) / Math.max(1, mine.length);
  const phases = PHASES.map((p) => `${p.replace(/^scavenge\./, '')} ${mean(p).toFixed(2)}`).join(', ');
  return `${mine.length} scavenges, mean pause ${mean('pause').toFixed(2)} ms (${phases}), survived ${(mean('new_space_survived') / 1024).toFixed(0)} KB`;
}
/** A V8 call frame's place: a file of the proxy's build, a package's own path, or Node's module. */
function place({ url, lineNumber }) {
  if (!url) return '';
  const m = /node_modules\/\.pnpm\/[^/]+\/node_modules\/(.*)$/.exec(url) ?? /\/dist\/(.*)$/.exec(url);
  return `${m ? m[1] : url.replace(/^.*\//, '')}:${lineNumber + 1}`;
}

/**
 * The top functions by bytes allocated in them (self, not callees), per call, from the profile a
 * process wrote at its `n`th measured load; waits for the file, which the process writes after
 * its checkpoint.
 */
async function topSites(name, n, calls) {
  const file = join(dir, `${name}-${n}.heapprofile`);
  for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(100);
  const { head } = JSON.parse(readFileSync(file, 'utf8'));
  const bytes = new Map();
  let total = 0;
  const walk = (node) => {
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${place(f)}`;
    bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(head);
  const kb = (b) => (b / calls / 1024).toFixed(2).padStart(6);
  return [
    `  ${name}: ${kb(total).trim()} KB/call sampled; top functions (KB/call, share):`,
    ...[...bytes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, SITES)
      .map(([key, b]) => `    ${kb(b)} ${((100 * b) / total).toFixed(1).padStart(4)}%  ${key}`),
  ].join('\n');
}

/** Force a minor collection, so that the counts include everything allocated until now. */
async function checkpoint(proc) {
  proc.child.kill('SIGUSR2');
  await sleep(300);
  return totals(proc);
}

const upstream = await start(
  [cli, 'mock-upstream', '--port', '0', '--delay', '20', '--chunk-delay', '2'],
  {},
  /listening on (http:\/\/\S+)/,
);
const floor = await start(
  [...CHECKPOINT, floorScript, upstream.url],
  sitesEnv('floor'),
  /listening on (http:\/\/\S+)/,
  join(dir, 'floor.gc'),
);
const proxy = await start(
  [...CHECKPOINT, cli, '--listen', '127.0.0.1:0', '--upstream', upstream.url],
  { LLMTRACE_CONFIG: '', LLMTRACE_STORAGE_DATABASE_PATH: join(dir, 'bench.db'), ...sitesEnv('proxy') },
  /"url":"(http:\/\/[^"]+)"/,
  join(dir, 'proxy.gc'),
);

try {
  for (const stream of [false, true]) {
    const perCall = {};
    for (const proc of [proxy, floor]) {
      await load(proc.url, Math.ceil(CALLS / 4), stream); // warm: JIT, pools, caches
      await sleep(1000);
      const before = await checkpoint(proc);
      await load(proc.url, CALLS, stream);
      // Spans are built and written after the answers, in batches: wait for the last ones.
      await sleep(1500);
      const after = await checkpoint(proc);
      perCall[proc === proxy ? 'proxy' : 'floor'] = {
        allocated: (after.allocated - before.allocated) / CALLS,
        promoted: (after.promoted - before.promoted) / CALLS,
        scavenges: scavenges(after.lines, before.lines.length - 1),
      };
    }
    const kb = (b) => (b / 1024).toFixed(2);
    const { proxy: p, floor: f } = perCall;
    console.log(
      `${stream ? 'stream' : 'json  '} (c=${CONC}, ${CALLS} calls): allocated proxy ${kb(p.allocated)} KB/call, bare proxy ${kb(f.allocated)}, ratio ${(p.allocated / f.allocated).toFixed(2)} | promoted proxy ${kb(p.promoted)} KB/call, bare proxy ${kb(f.promoted)}`,
    );
    console.log(`  main thread, proxy: ${p.scavenges}\n  main thread, bare proxy: ${f.scavenges}`);
    if (SITES > 0)
      for (const name of ['proxy', 'floor']) console.log(await topSites(name, stream ? 1 : 0, CALLS));
  }
} finally {
  for (const p of [proxy, floor, upstream]) p.child.kill('SIGTERM');
  await new Promise((r) => proxy.child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
