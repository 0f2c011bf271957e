import { createMemoryStore } from '@llmtrace/storage/memory';
import { describe, expect, it } from 'vitest';
import { createTracer } from '../tracer.js';
import { createStoreExporter } from './store.js';

describe('createStoreExporter', () => {
  it('writes a nested trace into a TraceStore that reads it back', async () => {
    const store = createMemoryStore();
    await store.migrate();
    const tracer = createTracer({
      exporter: createStoreExporter(store, { flushOnExit: false }),
      tenantId: 'acme',
    });
    const root = tracer.startSpan('agent_run');
    const child = root.startChild('chat_completion', 'openai', 'gpt-4o');
    child.setPrompt('hi').setResponse('hello').setTokenCounts({ promptTokens: 3, completionTokens: 2 }).end();
    root.end();
    await tracer.shutdown();

    const trace = await store.getTrace('acme', root.traceId);
    expect(trace?.spans).toHaveLength(2);
    const stored = trace?.spans.find((s) => s.spanId === child.spanId);
    expect(stored).toMatchObject({
      parentSpanId: root.spanId,
      response: 'hello',
      totalTokens: 5,
      operation: 'chat',
    });
    const page = await store.querySpans({ tenantId: 'acme', model: 'gpt-4o' });
    expect(page.spans.map((s) => s.spanId)).toEqual([child.spanId]);
  });
});
