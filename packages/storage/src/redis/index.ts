export { createRedisCounterStore, type RedisCounterStoreOptions } from './counter-store.js';
