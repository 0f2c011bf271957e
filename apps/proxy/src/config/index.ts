export type { Config, ConfigInput, StorageConfig } from './schema.js';
export { configSchema } from './schema.js';
export type { CliOverrides, LoadConfigOptions } from './load.js';
export { ENV_KEYS, describeIssues, loadConfig, readConfigFile, redactConfig } from './load.js';
