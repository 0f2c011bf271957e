export type { CliOverrides, LoadConfigOptions } from './load.js';
export { describeIssues, ENV_KEYS, loadConfig, readConfigFile, redactConfig } from './load.js';
export type { Config, ConfigInput, StorageConfig } from './schema.js';
export { configSchema } from './schema.js';
