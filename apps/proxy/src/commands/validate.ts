import type { CAC } from 'cac';
import { stringify } from 'yaml';
import { redactConfig } from '../config/index.js';
import { type ConfigFlags, configFromFlags } from './serve.js';

/** `validate`: print the resolved config (secrets redacted); a bad config exits non-zero. */
export function registerValidateCommand(cli: CAC): void {
  cli
    .command('validate', 'Check the configuration and print it resolved, secrets redacted')
    .option('--json', 'Print JSON instead of YAML')
    .action((flags: ConfigFlags & { json?: boolean }) => {
      const config = redactConfig(configFromFlags(flags));
      process.stdout.write(flags.json ? `${JSON.stringify(config, null, 2)}\n` : stringify(config));
    });
}
