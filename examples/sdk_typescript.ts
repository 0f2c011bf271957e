/**
 * LLMTrace TypeScript SDK example: instrument an OpenAI client in one line, group an agent's
 * steps into one trace, record a custom span, and export everything to a running LLMTrace.
 *
 * Start a proxy (and, to try without an OpenAI key, the fake upstream):
 *   npx @llmtrace/proxy mock-upstream --port 4010 &
 *   npx @llmtrace/proxy --listen 127.0.0.1:8080 --upstream http://127.0.0.1:4010
 * then run this file with a TypeScript runner (Node 22.6+: `node --experimental-strip-types`):
 *   node --experimental-strip-types examples/sdk_typescript.ts http://127.0.0.1:8080
 */
import { pathToFileURL } from 'node:url';
import { createTracer, instrument } from '@llmtrace/sdk';
import OpenAI from 'openai';

/** Options of {@link runSdkExample}. */
export interface SdkExampleOptions {
  /** Base URL of the LLMTrace proxy; LLM calls and span export both go there. */
  proxyUrl: string;
  /** Key for the upstream LLM (the fake upstream accepts anything). */
  openaiApiKey?: string;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** Run the example; resolves with the agent trace id and the exporter's counters. */
export async function runSdkExample(options: SdkExampleOptions) {
  const log = options.log ?? (() => {});
  // 1. A tracer that posts spans (batched, in the background) to the proxy's ingest endpoint.
  //    With enableSecurity, spans are scanned locally with @llmtrace/security before export.
  const tracer = createTracer({
    endpoint: options.proxyUrl,
    tenantId: 'examples',
    agentId: 'trip-planner',
    enableSecurity: true,
  });

  // 2. One line: every chat/responses/embeddings call on this client now records a span.
  const openai = instrument(
    new OpenAI({ apiKey: options.openaiApiKey ?? 'sk-example', baseURL: `${options.proxyUrl}/v1` }),
    {
      tracer,
    },
  );

  // 3. An agent run: calls and steps made inside become children of `plan_trip`, one trace id.
  const traceId = await tracer.trace('plan_trip', async (run) => {
    run.setTag('destination', 'Lisbon');

    const answer = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You plan short trips.' },
        { role: 'user', content: 'Three things to do in Lisbon?' },
      ],
    });
    log(`chat: ${answer.choices[0]?.message.content ?? ''}`);

    // Streams pass through untouched; the span records time to first token and usage.
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'And where should I eat?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    log(`stream: ${text}`);

    // A step that is not an LLM call: a tool, with its own span.
    await tracer.trace('weather_lookup', async (step) => {
      step.setTag('city', 'Lisbon').setResponse('22°C, sunny');
    });

    // A span recorded by hand, e.g. for an LLM called through some other client.
    const manual = tracer.startSpan('chat_completion', 'openai', 'gpt-4');
    manual
      .setPrompt('Hello')
      .setResponse('Hi there!')
      .setTokenCounts({ promptTokens: 5, completionTokens: 3 });
    manual.end();

    return run.traceId;
  });

  // 4. Flush before exiting (serverless handlers should always do this).
  await tracer.shutdown();
  const stats = tracer.stats();
  log(`trace ${traceId}: ${stats.exported ?? 0} spans exported, ${stats.failed ?? 0} failed`);
  return { traceId, stats };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const proxyUrl = process.argv[2] ?? 'http://127.0.0.1:8080';
  runSdkExample({ proxyUrl, log: (line) => process.stdout.write(`${line}\n`) }).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
