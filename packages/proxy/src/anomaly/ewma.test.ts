import { describe, expect, it } from 'vitest';
import { createEwma } from './ewma.js';

describe('createEwma', () => {
  it('starts as the plain mean and population variance', () => {
    const s = createEwma(0.01);
    for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) s.update(x);
    expect(s.count).toBe(8);
    expect(s.mean).toBeCloseTo(5, 10);
    expect(s.variance).toBeCloseTo(4, 10);
  });

  it('forgets old values at rate alpha once warmed up', () => {
    const s = createEwma(0.5);
    for (let i = 0; i < 50; i++) s.update(10);
    s.update(20);
    expect(s.mean).toBeCloseTo(15, 10);
    s.update(20);
    expect(s.mean).toBeCloseTo(17.5, 10);
    expect(s.variance).toBeGreaterThan(0);
  });
});
