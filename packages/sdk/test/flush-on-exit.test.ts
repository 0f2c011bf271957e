import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Span } from '@llmtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
// A separate Node process needs JavaScript: the built package (`pnpm build` runs before `pnpm test`).
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let url: string;
const received: Span[] = [];
let close: () => void;

beforeAll(async () => {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push(...(JSON.parse(body) as { spans: Span[] }).spans);
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

describe('HTTP exporter at process exit', () => {
  it('flushes queued spans when a program ends without calling flush', async () => {
    expect(existsSync(dist), 'packages/sdk is not built; run `pnpm build` first').toBe(true);
    const script = `
      import { createTracer } from ${JSON.stringify(dist)};
      const tracer = createTracer({ endpoint: process.argv[1], tenantId: 'exit-test' });
      tracer.startSpan('chat_completion', 'openai', 'gpt-4').setPrompt('bye').end();
    `;
    const started = Date.now();
    await run(process.execPath, ['--input-type=module', '-e', script, url], { timeout: 20_000 });
    expect(received.map((s) => s.prompt[0]?.content)).toEqual(['bye']);
    // The 1 s batch timer did not hold the process open: beforeExit sent the batch at once.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
