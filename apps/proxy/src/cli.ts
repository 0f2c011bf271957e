#!/usr/bin/env node
import { LLMTraceError } from '@llmtrace/core';
import { cac } from 'cac';
import { registerKeysCommand } from './commands/keys.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerMockUpstreamCommand } from './commands/mock-upstream.js';
import { registerScanCommand } from './commands/scan.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSpendCommand } from './commands/spend.js';
import { registerValidateCommand } from './commands/validate.js';
import { VERSION } from './version.js';

const cli = cac('llmtrace-proxy');
cli
  .option('--config <path>', 'YAML config file (env LLMTRACE_CONFIG)')
  .option('--listen <addr>', 'Listen address host:port (env LLMTRACE_LISTEN_ADDR)')
  .option('--upstream <url>', 'Default upstream URL (env LLMTRACE_UPSTREAM_URL)')
  .option('--log-level <level>', 'debug | info | warn | error | silent (env LLMTRACE_LOG_LEVEL)')
  .option('--log-format <format>', 'json | pretty (env LLMTRACE_LOG_FORMAT)');

// One line per command.
registerServeCommand(cli);
registerValidateCommand(cli);
registerMockUpstreamCommand(cli);
registerMigrateCommand(cli);
registerScanCommand(cli);
registerKeysCommand(cli);
registerSpendCommand(cli);

cli.help();
cli.version(VERSION);

function fail(err: unknown): never {
  const message =
    err instanceof LLMTraceError ? err.message : `error: ${(err as Error)?.message ?? String(err)}`;
  process.stderr.write(`${message}\n`);
  process.exit(err instanceof LLMTraceError && err.code === 'invalid_config' ? 2 : 1);
}

try {
  cli.parse(process.argv, { run: false });
  Promise.resolve(cli.runMatchedCommand()).catch(fail);
} catch (err) {
  fail(err);
}
