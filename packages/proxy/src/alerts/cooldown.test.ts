import { describe, expect, it } from 'vitest';
import { createCooldown } from './cooldown.js';

describe('createCooldown', () => {
  it('passes the first event, suppresses repeats in the window, then reports how many were held', () => {
    const c = createCooldown(1000);
    expect(c.check('k', 0, false)).toEqual({ pass: true, suppressedBefore: 0 });
    expect(c.check('k', 500, false).pass).toBe(false);
    expect(c.check('k', 999, false).pass).toBe(false);
    expect(c.check('other', 999, false).pass).toBe(true);
    expect(c.check('k', 1000, false)).toEqual({ pass: true, suppressedBefore: 2 });
    expect(c.check('k', 1500, false).pass).toBe(false);
  });

  it('lets resolved events through and re-arms the key', () => {
    const c = createCooldown(1000);
    c.check('k', 0, false);
    expect(c.check('k', 10, true).pass).toBe(true);
    expect(c.check('k', 20, false).pass).toBe(true);
  });

  it('lets an escalation through inside the window', () => {
    const c = createCooldown(1000);
    expect(c.check('k', 0, false, 3).pass).toBe(true);
    expect(c.check('k', 10, false, 3).pass).toBe(false);
    expect(c.check('k', 20, false, 2).pass).toBe(false);
    expect(c.check('k', 30, false, 4)).toEqual({ pass: true, suppressedBefore: 2 });
    expect(c.check('k', 40, false, 4).pass).toBe(false);
  });

  it('never suppresses with a zero window', () => {
    const c = createCooldown(0);
    expect(c.check('k', 0, false).pass).toBe(true);
    expect(c.check('k', 0, false).pass).toBe(true);
  });

  it('stays bounded', () => {
    const c = createCooldown(60_000, 100);
    for (let i = 0; i < 1000; i++) c.check(`k${i}`, i, false);
    expect(c.size()).toBeLessThanOrEqual(100);
  });
});
