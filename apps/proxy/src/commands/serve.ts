import type { CAC } from 'cac';
import { loadConfig } from '../config/index.js';
import { createAppLogger } from '../logger.js';
import { startProxy } from '../server.js';

/** Flags shared by commands that read the configuration. */
export interface ConfigFlags {
  config?: string;
  listen?: string;
  upstream?: string;
  logLevel?: string;
  logFormat?: string;
}

/** Resolve config from flags + env, exactly as `serve` does. */
export function configFromFlags(flags: ConfigFlags) {
  return loadConfig({
    configPath: flags.config,
    env: process.env,
    cli: {
      listen: flags.listen,
      upstream: flags.upstream,
      logLevel: flags.logLevel,
      logFormat: flags.logFormat,
    },
  });
}

/** The default command: run the proxy until SIGTERM/SIGINT, then shut down gracefully. */
export function registerServeCommand(cli: CAC): void {
  cli
    .command('[serve]', 'Run the proxy (default command)')
    .action(async (_arg: string | undefined, flags: ConfigFlags) => {
      const config = configFromFlags(flags);
      const logger = createAppLogger({ level: config.logging.level, format: config.logging.format });
      const proxy = await startProxy(config, logger);
      let signals = 0;
      const stop = (signal: string): void => {
        signals++;
        if (signals > 1) {
          logger.warn('second signal: exiting now', { signal });
          process.exit(1);
        }
        logger.info('signal received', { signal });
        proxy.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error('shutdown failed', { err: String(err) });
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
