// Preloaded into a measured process by alloc.mjs (`--import`): at each checkpoint (SIGUSR2) it
// runs a minor collection, as alloc.mjs's counts need, and with LLMTRACE_BENCH_HEAP_SITES set
// (a file name prefix) it also starts V8's sampling heap profiler, or stops it and writes the
// profile to `<prefix>-<n>.heapprofile`: checkpoints come in pairs around each measured load.
// The profiler keeps the samples of objects collected since, so the profile shows where every
// sampled byte was allocated, garbage included, not only what is still alive.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const prefix = process.env.LLMTRACE_BENCH_HEAP_SITES;
let session;
let sampling = false;
let written = 0;

function post(method, params) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

async function toggle() {
  if (!session) {
    session = new Session();
    session.connect();
  }
  if (!sampling) {
    sampling = true;
    await post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMinorGC: true,
      includeObjectsCollectedByMajorGC: true,
    });
    return;
  }
  sampling = false;
  const { profile } = await post('HeapProfiler.stopSampling');
  writeFileSync(`${prefix}-${written++}.heapprofile`, JSON.stringify(profile));
}

process.on('SIGUSR2', () => {
  globalThis.gc({ type: 'minor' });
  if (prefix) toggle().catch((err) => process.stderr.write(`heap sampling failed: ${err}\n`));
});
