import type { Span, TraceStore } from '@llmtrace/core';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../memory/index.js';
import { createRetentionJob } from './retention-job.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const span = (id: string, ageDays: number): Span => ({
  traceId: id,
  spanId: id,
  tenantId: 't',
  operation: 'chat',
  provider: 'openai',
  model: 'm',
  startTime: NOW - ageDays * DAY,
  endTime: NOW - ageDays * DAY + 1,
  durationMs: 1,
  stream: false,
  statusCode: 200,
  status: 'ok',
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  usageSource: 'none',
  securityScore: 0,
  findings: [],
  prompt: [],
  response: '',
  toolCalls: [],
  tags: {},
});

describe('createRetentionJob', () => {
  it('deletes spans older than the retention window at start and on every interval', async () => {
    const store = createMemoryStore();
    await store.insertSpans([span('old', 40), span('edge', 29.9), span('new', 1)]);
    let now = NOW;
    const job = createRetentionJob(store, { days: 30, intervalMs: 30, now: () => now });
    await new Promise((r) => setTimeout(r, 20));
    expect((await store.querySpans({ tenantId: 't' })).spans.map((s) => s.spanId)).toEqual(['new', 'edge']);
    now = NOW + 0.2 * DAY; // "edge" is now past 30 days
    await new Promise((r) => setTimeout(r, 60));
    expect((await store.querySpans({ tenantId: 't' })).spans.map((s) => s.spanId)).toEqual(['new']);
    job.stop();
  });

  it('logs and survives a failing store', async () => {
    const warnings: string[] = [];
    const failing: TraceStore = {
      ...createMemoryStore(),
      deleteBefore: async () => {
        throw new Error('disk on fire');
      },
    };
    const job = createRetentionJob(failing, {
      days: 1,
      intervalMs: 60_000,
      logger: {
        debug() {},
        info() {},
        error() {},
        warn: (m, f) => warnings.push(`${m} ${String(f?.error)}`),
      },
    });
    expect(await job.runOnce()).toBe(0);
    expect(warnings.some((w) => w.includes('disk on fire'))).toBe(true);
    job.stop();
  });

  it('refuses a non-positive retention', () => {
    expect(() => createRetentionJob(createMemoryStore(), { days: 0 })).toThrow(RangeError);
  });
});
