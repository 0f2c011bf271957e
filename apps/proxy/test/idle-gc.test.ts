import { silentLogger } from '@llmtrace/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startIdleCollector } from '../src/idle-gc.js';

describe('idle garbage collection', () => {
  const g = globalThis as { gc?: unknown };
  const saved = g.gc;
  let gc: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    vi.useFakeTimers();
    gc = vi.fn();
    g.gc = gc;
  });
  afterEach(() => {
    vi.useRealTimers();
    g.gc = saved;
  });

  it('collects once at start, three times after start-up, then only once traffic has stopped for the idle time', () => {
    const idle = startIdleCollector(1000, silentLogger);
    // at once, in one pause: the server is not listening yet
    expect(gc).toHaveBeenCalledTimes(1);
    expect(gc).toHaveBeenLastCalledWith();
    vi.advanceTimersByTime(1000); // quiet since start: what first uses left
    expect(gc).toHaveBeenCalledTimes(2);
    expect(gc).toHaveBeenLastCalledWith({ type: 'major', execution: 'async' });
    vi.advanceTimersByTime(1000); // the second pass, after the sweep wait
    expect(gc).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(5999); // the third waits out V8's allocation-rate window
    expect(gc).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(1);
    expect(gc).toHaveBeenCalledTimes(4);
    vi.advanceTimersByTime(10_000); // still quiet: nothing new to give back
    expect(gc).toHaveBeenCalledTimes(4);

    for (let i = 0; i < 50; i++) {
      idle.touch(); // steady traffic: never collects
      vi.advanceTimersByTime(200);
    }
    expect(gc).toHaveBeenCalledTimes(4);
    vi.advanceTimersByTime(999); // the last touch was 200 ms ago, not yet a quiet interval
    expect(gc).toHaveBeenCalledTimes(4);
    vi.advanceTimersByTime(1); // a whole interval without a request
    expect(gc).toHaveBeenCalledTimes(5);
    vi.advanceTimersByTime(7000);
    expect(gc).toHaveBeenCalledTimes(7);
    idle.stop();
    idle.touch();
    vi.advanceTimersByTime(10_000);
    expect(gc).toHaveBeenCalledTimes(7);
  });

  it('skips the later passes when traffic came back after the first', () => {
    const idle = startIdleCollector(1000, silentLogger);
    vi.advanceTimersByTime(1000);
    expect(gc).toHaveBeenCalledTimes(2);
    idle.touch();
    vi.advanceTimersByTime(7000);
    expect(gc).toHaveBeenCalledTimes(2);
    idle.stop();
  });

  it('does nothing when turned off', () => {
    const idle = startIdleCollector(0, silentLogger);
    idle.touch();
    vi.advanceTimersByTime(60_000);
    expect(gc).not.toHaveBeenCalled();
  });

  it('keeps going when a collection throws', () => {
    gc.mockImplementation(() => {
      throw new Error('boom');
    });
    const idle = startIdleCollector(1000, silentLogger);
    expect(gc).toHaveBeenCalledTimes(1); // the start-up collection threw and was logged
    vi.advanceTimersByTime(8000);
    expect(gc).toHaveBeenCalledTimes(4);
    idle.touch();
    vi.advanceTimersByTime(3000);
    expect(gc).toHaveBeenCalledTimes(6);
    idle.stop();
  });
});
