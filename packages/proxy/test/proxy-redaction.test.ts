import { createScanner } from '@llmtrace/security';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream } from '../src/index.js';
import { startMockUpstream, startProxy, type TestProxy } from './helpers.js';

let upstream: MockUpstream;
let proxy: TestProxy;

beforeAll(async () => {
  upstream = await startMockUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url, scanner: createScanner(), redactStoredPii: true });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

describe('storage.redact_pii', () => {
  it('stores the span with PII and secrets replaced, while the upstream and client see the real text', async () => {
    const client = new OpenAI({ apiKey: 'sk-x', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
    const secret = 'AKIAZ7Q3LMNPX4RT2WYB';
    const res = await client.chat.completions.create(
      {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Please email jane.doe@example.org about the invoice.' }],
      },
      { headers: { 'x-mock-content': encodeURIComponent(`Sure. Use key ${secret} to log in.`) } },
    );
    expect(res.choices[0]?.message.content).toContain(secret);
    expect(upstream.received.at(-1)?.body.toString()).toContain('jane.doe@example.org');
    const [span] = await proxy.waitForSpans(1);
    expect(span!.prompt[0]!.content).toBe('Please email [REDACTED:pii.email] about the invoice.');
    expect(span!.response).toBe('Sure. Use key [REDACTED:secret.aws_access_key] to log in.');
    expect(JSON.stringify(span)).not.toContain(secret);
    expect(span!.findings.map((f) => f.type)).toEqual(
      expect.arrayContaining(['pii.email', 'secret.aws_access_key']),
    );
  });
});
