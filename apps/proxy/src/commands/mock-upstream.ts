import { createMockUpstream } from '@llmtrace/gateway';
import type { CAC } from 'cac';

/** `mock-upstream`: a fake OpenAI-compatible LLM, to try the proxy (or an app) with no API key. */
export function registerMockUpstreamCommand(cli: CAC): void {
  cli
    .command('mock-upstream', 'Run a fake OpenAI-compatible LLM (no API key needed)')
    .option('--port <port>', 'Port to listen on', { default: 4010 })
    .option('--host <host>', 'Host to bind', { default: '127.0.0.1' })
    .option('--delay <ms>', 'Delay before each response, ms', { default: 0 })
    .option('--chunk-delay <ms>', 'Delay between stream chunks, ms', { default: 0 })
    .action(
      async (flags: {
        port: string | number;
        host: string;
        delay: string | number;
        chunkDelay: string | number;
      }) => {
        const up = await createMockUpstream({
          port: Number(flags.port),
          host: flags.host,
          delayMs: Number(flags.delay),
          chunkDelayMs: Number(flags.chunkDelay),
        });
        process.stderr.write(`mock upstream listening on ${up.url}\n`);
        const stop = (): void => {
          void up.close().then(() => process.exit(0));
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      },
    );
}
