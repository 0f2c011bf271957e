import { describe, expect, it } from 'vitest';
import { AlertDeliveryError } from './http.js';
import { createAlertManager } from './manager.js';
import type { AlertChannel, AlertEvent, AlertEventInput } from './types.js';

/** A channel that records events and fails according to a script (`'ok'`, or an error to throw). */
function scripted(name: string, script: Array<'ok' | Error> = [], filter: AlertChannel['filter'] = {}) {
  const received: AlertEvent[] = [];
  let calls = 0;
  const channel: AlertChannel = {
    name,
    filter,
    async send(event) {
      const step = script[calls++] ?? 'ok';
      if (step !== 'ok') throw step;
      received.push(event);
    },
  };
  return { channel, received, calls: () => calls };
}

const base: AlertEventInput = {
  type: 'budget.hard_limit',
  severity: 'high',
  tenantId: 'acme',
  title: 'Monthly budget reached',
  details: { limitUsd: 100 },
};

describe('createAlertManager', () => {
  it('fills id and time, and delivers to every matching channel', async () => {
    const all = scripted('all');
    const critical = scripted('critical-only', [], { minSeverity: 'critical' });
    const m = createAlertManager({ channels: [all.channel, critical.channel], now: () => 5000 });
    m.emit(base);
    await m.flush();
    expect(all.received).toHaveLength(1);
    expect(all.received[0]).toMatchObject({ ...base, time: 5000 });
    expect(all.received[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(critical.received).toHaveLength(0);
    expect(m.stats()).toEqual({ queued: 0, sent: 1, failed: 0, dropped: 0, suppressed: 0, retried: 0 });
  });

  it('retries retryable failures with backoff, gives up on permanent ones, and counts both', async () => {
    const flaky = scripted('flaky', [
      new AlertDeliveryError('x', { status: 500, retryable: true }),
      new Error('socket hang up'),
    ]);
    const broken = scripted('broken', [new AlertDeliveryError('x', { status: 400, retryable: false })]);
    const results: Array<[string, boolean, number]> = [];
    const m = createAlertManager({
      channels: [flaky.channel, broken.channel],
      retry: { attempts: 3, baseMs: 5 },
      onResult: (r) => results.push([r.channel, r.ok, r.attempts]),
    });
    m.emit(base);
    await m.flush();
    expect(flaky.calls()).toBe(3);
    expect(flaky.received).toHaveLength(1);
    expect(broken.calls()).toBe(1);
    expect(results.sort()).toEqual([
      ['broken', false, 1],
      ['flaky', true, 3],
    ]);
    expect(m.stats()).toMatchObject({ sent: 1, failed: 1, retried: 2, queued: 0 });
  });

  it('stops after the configured attempts', async () => {
    const down = scripted(
      'down',
      Array.from({ length: 10 }, () => new AlertDeliveryError('x', { status: 503, retryable: true })),
    );
    const m = createAlertManager({ channels: [down.channel], retry: { attempts: 4, baseMs: 1 } });
    m.emit(base);
    await m.flush();
    expect(down.calls()).toBe(4);
    expect(m.stats()).toMatchObject({ sent: 0, failed: 1, retried: 3 });
  });

  it('suppresses repeats of one condition within the cooldown, per tenant and type', async () => {
    let now = 0;
    const ch = scripted('c');
    const m = createAlertManager({ channels: [ch.channel], cooldownMs: 60_000, now: () => now });
    for (let i = 0; i < 100; i++) m.emit(base);
    m.emit({ ...base, tenantId: 'globex' });
    m.emit({ ...base, type: 'budget.soft_limit' });
    await m.flush();
    expect(ch.received.map((e) => `${e.type}:${e.tenantId}`)).toEqual([
      'budget.hard_limit:acme',
      'budget.hard_limit:globex',
      'budget.soft_limit:acme',
    ]);
    expect(m.stats().suppressed).toBe(99);
    now = 60_000;
    m.emit(base);
    await m.flush();
    expect(ch.received).toHaveLength(4);
    expect(ch.received[3]?.details.suppressedSinceLastAlert).toBe(99);
  });

  it('bounds the queue and counts what it drops', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: AlertChannel = { name: 'slow', filter: {}, send: () => gate };
    const m = createAlertManager({ channels: [slow], queueSize: 3, concurrency: 1, cooldownMs: 0 });
    for (let i = 0; i < 10; i++) m.emit({ ...base, tenantId: `t${i}` });
    expect(m.stats()).toMatchObject({ queued: 3, dropped: 7 });
    release();
    await m.flush();
    expect(m.stats()).toMatchObject({ queued: 0, sent: 3, dropped: 7 });
  });

  it('never throws from emit or onSpan, whatever it is given', () => {
    const m = createAlertManager({ channels: [scripted('c').channel] });
    expect(() => m.emit(null as unknown as AlertEventInput)).not.toThrow();
    expect(() => m.emit({ ...base, severity: 'urgent' as never })).not.toThrow();
    expect(() => m.onSpan({} as never)).not.toThrow();
    expect(m.stats().queued).toBe(0);
  });

  it('records every delivered-or-not event in history, but not suppressed repeats', async () => {
    const stored: AlertEvent[] = [];
    const m = createAlertManager({
      channels: [scripted('c', [], { tenants: ['other'] }).channel],
      history: { recordEvent: async (e) => void stored.push(e) },
    });
    m.emit(base);
    m.emit(base);
    await m.flush();
    expect(stored.map((e) => e.type)).toEqual(['budget.hard_limit']);
  });

  it('survives a failing history sink', async () => {
    const ch = scripted('c');
    const m = createAlertManager({
      channels: [ch.channel],
      history: { recordEvent: () => Promise.reject(new Error('db down')) },
    });
    m.emit(base);
    await m.flush();
    expect(ch.received).toHaveLength(1);
  });

  it('close gives up on pending retries within its timeout and refuses new events', async () => {
    const down = scripted(
      'down',
      Array.from({ length: 10 }, () => new AlertDeliveryError('x', { retryable: true })),
    );
    const m = createAlertManager({ channels: [down.channel], retry: { attempts: 10, baseMs: 60_000 } });
    m.emit(base);
    await new Promise((r) => setTimeout(r, 20));
    await m.close(50);
    expect(m.stats()).toMatchObject({ queued: 0, failed: 1 });
    m.emit({ ...base, tenantId: 'late' });
    expect(m.stats().dropped).toBe(1);
  });
});
