import { describe, expect, it } from 'vitest';
import { SeriesCache } from './series-cache.js';

describe('SeriesCache', () => {
  it('creates a value once per tenant and per tenant + agent', () => {
    let made = 0;
    const cache = new SeriesCache(10, () => ({ id: made++ }));
    const tenant = cache.get('acme');
    const agent = cache.get('acme', 'bot');
    expect(cache.get('acme')).toBe(tenant);
    expect(cache.get('acme', 'bot')).toBe(agent);
    expect(tenant).not.toBe(agent);
    // An agent named like another tenant is still that tenant's agent.
    expect(cache.get('bot')).not.toBe(agent);
    expect(cache.size).toBe(3);
  });

  it('forgets the least recently used value first, as a Map in insertion order would', () => {
    const cache = new SeriesCache(3, () => ({}));
    const reference = new Map<string, object>();
    let seed = 1;
    const rand = (): number => {
      seed = (seed * 48271) % 2147483647; // Park-Miller: reproducible, good enough to pick keys
      return seed / 2147483647;
    };
    for (let i = 0; i < 2000; i++) {
      const tenant = `t${Math.floor(rand() * 3)}`;
      const agent = rand() < 0.5 ? undefined : `a${Math.floor(rand() * 2)}`;
      const key = agent === undefined ? tenant : `${tenant}/${agent}`;
      const value = cache.get(tenant, agent);
      // Reference LRU: delete and re-insert on use, evict the first key when full.
      const known = reference.get(key);
      if (known) reference.delete(key);
      else if (reference.size >= 3) reference.delete(reference.keys().next().value as string);
      reference.set(key, known ?? value);
      expect(value).toBe(reference.get(key));
      expect(cache.size).toBe(reference.size);
    }
  });

  it('keeps a tenant whose own value was evicted while its agents stay', () => {
    const cache = new SeriesCache(2, () => ({}));
    const own = cache.get('acme');
    const agent = cache.get('acme', 'bot');
    cache.get('globex'); // evicts acme's own value
    expect(cache.get('acme', 'bot')).toBe(agent);
    expect(cache.get('acme')).not.toBe(own);
    expect(cache.size).toBe(2);
  });
});
