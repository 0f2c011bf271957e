import { migrateStorage } from '@llmtrace/storage';
import type { CAC } from 'cac';
import { storageOptions } from '../server.js';
import { type ConfigFlags, configFromFlags } from './serve.js';

/** `migrate`: create or upgrade the configured storage's schema, then exit. */
export function registerMigrateCommand(cli: CAC): void {
  cli
    .command('migrate', 'Create or upgrade the storage schema and exit')
    .action(async (flags: ConfigFlags) => {
      const config = configFromFlags(flags);
      await migrateStorage(storageOptions(config.storage));
      process.stdout.write(`storage (${config.storage.profile}) is up to date\n`);
    });
}
