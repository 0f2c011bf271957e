// The span analysis thread: token estimates, cost and the security scan for every finished call,
// off the event loop that serves traffic. Started by the server with the resolved config.
import { parentPort, workerData } from 'node:worker_threads';
import { serveCallAnalysis } from '@llmtrace/gateway';
import { type AnalysisWorkerData, pricingFromConfig, scannerFromConfig } from './analysis.js';
import { startIdleCollector } from './idle-gc.js';
import { createAppLogger } from './logger.js';

const { config } = workerData as AnalysisWorkerData;
if (!parentPort) throw new Error('analysis-worker runs as a worker thread');
const logger = createAppLogger({ level: config.logging.level, format: config.logging.format });
// No scanner warm-up and no tokenizer preload: both are there to keep JIT compiling and loading
// off the serving thread's first requests, which this thread does not serve. Here they would
// only cost about a second of CPU at start, taken from the serving thread on a small machine just
// as the first large call arrives (this thread may start then), and the tokenizer's memory where
// no call needs an estimate.
serveCallAnalysis(parentPort, {
  scanner: scannerFromConfig({ ...config, security: { ...config.security, warm_up_calls: 0 } }, logger),
  pricing: pricingFromConfig(config),
  logger,
  redactStored: config.storage.redact_pii,
});
// This thread's heap is its own: collect what loading left, and what traffic grew (large calls'
// texts) once it stops, as the serving thread does with its heap.
const idle = startIdleCollector(config.memory.idle_gc_ms, logger);
parentPort.on('message', idle.touch);
