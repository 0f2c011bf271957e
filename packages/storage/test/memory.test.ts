import { createMemoryStore } from '../src/memory/index.js';
import { runTraceStoreContract } from './contract.js';

runTraceStoreContract('memory', { create: async () => createMemoryStore() });
