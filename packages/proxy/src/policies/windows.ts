import type { BudgetWindow } from './types.js';

/** A calendar bucket of a window (UTC): where it starts and ends, and a stable id for keys. */
export interface WindowBucket {
  id: string;
  start: number;
  end: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The UTC bucket of `window` containing `at` (hour, day, ISO week from Monday, calendar month). */
export function bucketOf(window: BudgetWindow, at: number): WindowBucket {
  const d = new Date(at);
  switch (window) {
    case 'hourly': {
      const start = Math.floor(at / HOUR) * HOUR;
      return { id: `h${start / HOUR}`, start, end: start + HOUR };
    }
    case 'daily': {
      const start = Math.floor(at / DAY) * DAY;
      return { id: `d${start / DAY}`, start, end: start + DAY };
    }
    case 'weekly': {
      const day = Math.floor(at / DAY) * DAY;
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      const start = day - sinceMonday * DAY;
      return { id: `w${start / DAY}`, start, end: start + 7 * DAY };
    }
    case 'monthly': {
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      return { id: `m${d.getUTCFullYear()}-${d.getUTCMonth() + 1}`, start, end };
    }
  }
}

/** The bucket before `bucket`. */
export function previousBucket(window: BudgetWindow, bucket: WindowBucket): WindowBucket {
  return bucketOf(window, bucket.start - 1);
}

/**
 * Weight of the previous bucket in a rolling window at `at`: the share of the previous bucket that
 * still lies inside the last full window length (sliding-window estimate; 1 at the bucket start,
 * 0 at its end).
 */
export function previousWeight(bucket: WindowBucket, at: number): number {
  return Math.max(0, Math.min(1, 1 - (at - bucket.start) / (bucket.end - bucket.start)));
}
