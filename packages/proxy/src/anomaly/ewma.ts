/**
 * Exponentially weighted mean and variance (West 1979 / Finch 2009 incremental form). The first
 * observations use weight `1/n` so the statistic starts as a plain average instead of being
 * dragged toward its zero initial state.
 */
export interface Ewma {
  readonly count: number;
  readonly mean: number;
  readonly variance: number;
  /** Add an observation. */
  update(x: number): void;
}

/**
 * The {@link Ewma} arithmetic as a class, for the anomaly series that update it on every span:
 * its fields hold doubles in place, where variables captured by a closure box a new number on
 * every update. Treat the fields as read-only outside `update`.
 *
 * @example const s = new EwmaStat(0.05); s.update(12); s.mean
 */
export class EwmaStat implements Ewma {
  count = 0;
  mean = 0;
  variance = 0;
  constructor(private readonly alpha: number) {}

  update(x: number): void {
    this.count++;
    const a = Math.max(this.alpha, 1 / this.count);
    const diff = x - this.mean;
    const incr = a * diff;
    this.mean += incr;
    this.variance = (1 - a) * (this.variance + diff * incr);
  }
}

/**
 * Create an EWMA statistic.
 *
 * @param alpha weight of a new observation once warmed up, in (0, 1]; e.g. 0.05 ≈ the last 40 points.
 * @example const s = createEwma(0.05); s.update(12); s.mean
 */
export function createEwma(alpha: number): Ewma {
  return new EwmaStat(alpha);
}
