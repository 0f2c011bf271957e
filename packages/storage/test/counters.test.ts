import { createMemoryCounterStore } from '../src/memory/index.js';
import { createRedisCounterStore } from '../src/redis/index.js';
import { runCounterContract } from './counters.js';

// The running Redis of the development and CI machines; a missing server fails these tests.
const REDIS_URL = process.env.LLMTRACE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

runCounterContract('memory', async () => createMemoryCounterStore());
runCounterContract('redis', async () =>
  createRedisCounterStore({ url: REDIS_URL, keyPrefix: 'llmtrace-test:' }),
);
