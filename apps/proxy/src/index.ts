export type { CliOverrides, Config, ConfigInput, LoadConfigOptions, StorageConfig } from './config/index.js';
export { configSchema, ENV_KEYS, loadConfig, redactConfig } from './config/index.js';
export type { AppLoggerOptions, LogLevel } from './logger.js';
export { createAppLogger } from './logger.js';
export type { RunningProxy } from './server.js';
export { startProxy, storageOptions } from './server.js';
