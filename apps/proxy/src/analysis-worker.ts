// The span analysis thread: token estimates, cost and the security scan for every finished call,
// off the event loop that serves traffic. Started by the server with the resolved config.
import { parentPort, workerData } from 'node:worker_threads';
import { preloadTokenizer, serveCallAnalysis } from '@llmtrace/gateway';
import { type AnalysisWorkerData, pricingFromConfig, scannerFromConfig } from './analysis.js';
import { startIdleCollector } from './idle-gc.js';
import { createAppLogger } from './logger.js';

const { config } = workerData as AnalysisWorkerData;
if (!parentPort) throw new Error('analysis-worker runs as a worker thread');
const logger = createAppLogger({ level: config.logging.level, format: config.logging.format });
// The current models' tokenizer now, so the first stream without usage does not wait for it.
preloadTokenizer(['gpt-4o']);
serveCallAnalysis(parentPort, {
  scanner: scannerFromConfig(config, logger),
  pricing: pricingFromConfig(config),
  logger,
  redactStored: config.storage.redact_pii,
});
// This thread's heap is its own: collect what loading and the scanner's warm-up left, and what
// traffic grew (large calls' texts) once it stops, as the serving thread does with its heap.
const idle = startIdleCollector(config.memory.idle_gc_ms, logger);
parentPort.on('message', idle.touch);
