import { describe, expect, it } from 'vitest';
import { bucketOf, previousBucket, previousWeight } from './windows.js';

describe('budget windows', () => {
  const at = Date.UTC(2026, 10, 26, 15, 30); // Thursday 26 Nov 2026, 15:30 UTC

  it('cuts UTC calendar buckets', () => {
    expect(bucketOf('hourly', at)).toMatchObject({
      start: Date.UTC(2026, 10, 26, 15),
      end: Date.UTC(2026, 10, 26, 16),
    });
    expect(bucketOf('daily', at)).toMatchObject({
      start: Date.UTC(2026, 10, 26),
      end: Date.UTC(2026, 10, 27),
    });
    expect(bucketOf('weekly', at)).toMatchObject({
      start: Date.UTC(2026, 10, 23),
      end: Date.UTC(2026, 10, 30),
    }); // Monday
    expect(bucketOf('monthly', at)).toMatchObject({
      start: Date.UTC(2026, 10, 1),
      end: Date.UTC(2026, 11, 1),
    });
    expect(bucketOf('monthly', Date.UTC(2026, 11, 31, 23)).end).toBe(Date.UTC(2027, 0, 1));
  });

  it('the previous bucket counts less as the current one fills', () => {
    const day = bucketOf('daily', at);
    expect(previousBucket('daily', day).end).toBe(day.start);
    expect(previousWeight(day, day.start)).toBe(1);
    expect(previousWeight(day, at)).toBeCloseTo(1 - 15.5 / 24, 6);
    expect(previousWeight(day, day.end)).toBe(0);
  });
});
