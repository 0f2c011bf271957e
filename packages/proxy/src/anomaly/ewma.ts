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
 * Create an EWMA statistic.
 *
 * @param alpha weight of a new observation once warmed up, in (0, 1]; e.g. 0.05 ≈ the last 40 points.
 * @example const s = createEwma(0.05); s.update(12); s.mean
 */
export function createEwma(alpha: number): Ewma {
  let count = 0;
  let mean = 0;
  let variance = 0;
  return {
    get count() {
      return count;
    },
    get mean() {
      return mean;
    },
    get variance() {
      return variance;
    },
    update(x) {
      count++;
      const a = Math.max(alpha, 1 / count);
      const diff = x - mean;
      const incr = a * diff;
      mean += incr;
      variance = (1 - a) * (variance + diff * incr);
    },
  };
}
