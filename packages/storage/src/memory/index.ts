export { createMemoryCounterStore, type MemoryCounterStoreOptions } from './counter-store.js';
export { createMemoryMetadataStore } from './metadata-store.js';
export { createMemoryStore } from './trace-store.js';
