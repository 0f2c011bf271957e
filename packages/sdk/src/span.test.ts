import type { Span } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { createMemoryExporter } from './exporters/memory.js';
import { createTracer } from './tracer.js';

function setup() {
  const exporter = createMemoryExporter();
  const tracer = createTracer({ exporter, tenantId: 'acme', agentId: 'planner' });
  return { exporter, tracer };
}

describe('span', () => {
  it('records the seed example as a core Span', () => {
    const { exporter, tracer } = setup();
    const span = tracer.startSpan('chat_completion', 'openai', 'gpt-4');
    span.setPrompt('Hello').setResponse('Hi!').setTokenCounts({ promptTokens: 5, completionTokens: 1 });
    span.end();
    const [out] = exporter.spans as [Span];
    expect(out).toMatchObject({
      tenantId: 'acme',
      agentId: 'planner',
      operation: 'chat',
      provider: 'openai',
      model: 'gpt-4',
      prompt: [{ role: 'user', content: 'Hello' }],
      response: 'Hi!',
      promptTokens: 5,
      completionTokens: 1,
      totalTokens: 6,
      usageSource: 'upstream',
      status: 'ok',
      statusCode: 200,
      stream: false,
      securityScore: 0,
      findings: [],
      toolCalls: [],
    });
    expect(out.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(out.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(out.endTime).toBeGreaterThanOrEqual(out.startTime);
    expect(out.durationMs).toBeGreaterThanOrEqual(0);
    expect(Object.values(out)).not.toContain(undefined);
  });

  it('toJSON is plain JSON that survives a round trip', () => {
    const { tracer } = setup();
    const span = tracer.startSpan('chat', 'openai', 'gpt-4o').setTag('step', 3).setTag('ok', true);
    span.end();
    const json = span.toJSON();
    expect(JSON.parse(JSON.stringify(span))).toEqual(json);
    expect(json.tags).toEqual({ step: '3', ok: 'true' });
  });

  it('keeps custom operation names as a tag on an `other` span', () => {
    const { tracer } = setup();
    const json = tracer.startSpan('vector_search', 'pinecone').toJSON();
    expect(json.operation).toBe('other');
    expect(json.tags['operation.name']).toBe('vector_search');
    expect(tracer.startSpan('embeddings', 'openai').toJSON().operation).toBe('embedding');
  });

  it('flattens content parts and keeps tool call ids in the prompt', () => {
    const { tracer } = setup();
    const span = tracer.startSpan('chat', 'openai', 'gpt-4o').setPrompt([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'x' } },
        ],
      },
      { role: 'tool', content: '42', tool_call_id: 'call_1' },
    ]);
    expect(span.toJSON().prompt).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is this?\n[image_url]' },
      { role: 'tool', content: '42', toolCallId: 'call_1' },
    ]);
  });

  it('raises the score with reported findings and fills finding defaults', () => {
    const { tracer } = setup();
    const span = tracer.startSpan('chat', 'openai', 'gpt-4o');
    span.addFinding({ type: 'pii.email', severity: 'medium' });
    expect(span.toJSON().securityScore).toBe(45);
    span.addFinding({ type: 'prompt_injection', severity: 'critical', confidence: 0.5 });
    const json = span.toJSON();
    expect(json.securityScore).toBe(49);
    expect(json.findings[0]).toEqual({
      type: 'pii.email',
      severity: 'medium',
      confidence: 1,
      detector: 'sdk',
      message: 'pii.email',
    });
  });

  it('records errors with the API status when the error carries one', () => {
    const { tracer } = setup();
    const err = Object.assign(new Error('Rate limit reached'), { status: 429 });
    const json = tracer.startSpan('chat', 'openai', 'gpt-4o').setError(err).toJSON();
    expect(json).toMatchObject({ status: 'error', statusCode: 429, error: 'Rate limit reached' });
  });

  it('ends once; later calls change nothing and export nothing', () => {
    const { exporter, tracer } = setup();
    const span = tracer.startSpan('chat', 'openai', 'gpt-4o');
    span.end();
    span.setResponse('late').setTag('late', 'yes');
    span.end();
    expect(exporter.spans).toHaveLength(1);
    expect(exporter.spans[0]?.response).toBe('');
    expect(span.toJSON().tags).toEqual({});
    expect(span.ended).toBe(true);
  });

  it('never throws on end, even with params structuredClone refuses', () => {
    const { exporter, tracer } = setup();
    const span = tracer
      .startSpan('chat', 'openai', 'gpt-4o')
      .update({ params: { onChunk: () => {}, temperature: 0.1 } });
    expect(() => span.end()).not.toThrow();
    expect(exporter.spans[0]?.params).toEqual({ temperature: 0.1 });
  });

  it('links children to their parent in one trace', () => {
    const { exporter, tracer } = setup();
    const agent = tracer.startSpan('agent_run', 'custom');
    const step = agent.startChild('chat', 'openai', 'gpt-4o');
    const tool = step.startChild('tool_call', 'custom');
    tool.end();
    step.end();
    agent.end();
    const [t, s, a] = exporter.spans as [Span, Span, Span];
    expect(new Set([t.traceId, s.traceId, a.traceId]).size).toBe(1);
    expect(a.parentSpanId).toBeUndefined();
    expect(s.parentSpanId).toBe(a.spanId);
    expect(t.parentSpanId).toBe(s.spanId);
    expect(s.provider).toBe('openai');
  });
});
