import { EwmaStat } from './ewma.js';

/** Tuning shared by every series of one detector (already defaulted). */
export interface SeriesConfig {
  threshold: number;
  alpha: number;
  minSamples: number;
  shiftAlpha: number;
  minRelativeChange: number;
  minBuckets: number;
  fastAlpha: number;
  baselineAlpha: number;
  minErrorRateIncrease: number;
}

/**
 * Verdict of one check: a score, and whether it opens a new excursion. A series reports through
 * one object of its own, overwritten by its next observation (no allocation per span): read it
 * before observing that series again.
 */
export interface Check {
  flagged: boolean;
  z: number;
  value: number;
  baseline: number;
  samples: number;
}

// Floor for the log-space standard deviation: a near-constant series must not turn a 1% wobble into z = 50.
const LOG_SD_FLOOR = 0.05;
// Outliers are clipped to this many standard deviations before they update a baseline.
const UPDATE_CLIP = 2.5;
// Recent values wait this long before they teach the baseline (see ValueSeries).
const BASELINE_LAG = 16;

/** A blank verdict, to be owned and refilled by one series. */
function newCheck(): Check {
  return { flagged: false, z: 0, value: 0, baseline: 0, samples: 0 };
}

/** Overwrite a series' verdict in place. */
function fill(
  c: Check,
  flagged: boolean,
  z: number,
  value: number,
  baseline: number,
  samples: number,
): Check {
  c.flagged = flagged;
  c.z = z;
  c.value = value;
  c.baseline = baseline;
  c.samples = samples;
  return c;
}

/**
 * A positive, right-skewed quantity (cost, tokens, latency) tracked in log space, where such data
 * is close to normal and "3x slower" means the same thing at 50 ms and at 5 s. Two tests against
 * the baseline: the value itself (a spike) and a fast EWMA of recent values scaled by its own
 * smaller spread (a step: several moderately high values in a row). The baseline learns only from
 * values older than `BASELINE_LAG`, so a step is judged against what came before it instead of
 * being half-absorbed already. Edge-triggered: a run of high values flags once, and re-arms when
 * both scores are back under half the threshold.
 */
export class ValueSeries {
  private readonly stat: EwmaStat;
  private readonly recent: EwmaStat;
  private readonly recentScale: number;
  private readonly minLift: number;
  // FIFO of the last values (log space), as a ring: at most BASELINE_LAG + 1 are ever held.
  private readonly lag = new Float64Array(BASELINE_LAG + 1);
  private lagStart = 0;
  private lagLength = 0;
  private excursion = false;
  private readonly check = newCheck();
  constructor(
    private readonly cfg: SeriesConfig,
    private readonly offset: number,
  ) {
    this.stat = new EwmaStat(cfg.alpha);
    this.recent = new EwmaStat(cfg.shiftAlpha);
    // Standard deviation of an EWMA of independent draws, relative to one draw's.
    this.recentScale = Math.sqrt(cfg.shiftAlpha / (2 - cfg.shiftAlpha));
    this.minLift = Math.log1p(cfg.minRelativeChange);
  }

  observe(raw: number): Check {
    const y = Math.log(Math.max(0, raw) + this.offset);
    const mean = this.stat.mean;
    const count = this.stat.count;
    const sd = Math.max(Math.sqrt(this.stat.variance), LOG_SD_FLOOR);
    const baseline = Math.exp(mean) - this.offset;
    this.recent.update(y);
    const check = fill(this.check, false, 0, raw, baseline, count);
    if (count >= this.cfg.minSamples) {
      const zSpike = (y - mean) / sd;
      const zShift = (this.recent.mean - mean) / (sd * this.recentScale);
      const spike = zSpike >= this.cfg.threshold && y - mean >= this.minLift;
      const shift = zShift >= this.cfg.threshold && this.recent.mean - mean >= this.minLift && y > mean;
      const z = Math.max(zSpike, zShift);
      const flagged = !this.excursion && (spike || shift);
      if (flagged) this.excursion = true;
      else if (this.excursion && z < this.cfg.threshold / 2) this.excursion = false;
      check.flagged = flagged;
      check.z = z;
    }
    this.pushLag(y);
    if (this.lagLength > BASELINE_LAG || this.stat.count < this.cfg.minSamples) {
      const old = this.shiftLag();
      if (this.stat.count < this.cfg.minSamples) this.stat.update(old);
      else {
        // Winsorise (Huber-style): an outlier moves the baseline like a value UPDATE_CLIP sd away
        // would, so one spike neither drags the mean nor blows up the variance.
        const limit = UPDATE_CLIP * sd;
        this.stat.update(Math.min(mean + limit, Math.max(mean - limit, old)));
      }
    }
    return check;
  }

  private pushLag(y: number): void {
    this.lag[(this.lagStart + this.lagLength) % this.lag.length] = y;
    this.lagLength++;
  }

  private shiftLag(): number {
    const y = this.lag[this.lagStart] as number;
    this.lagStart = (this.lagStart + 1) % this.lag.length;
    this.lagLength--;
    return y;
  }
}

/**
 * Error fraction: a fast EWMA of the 0/1 error indicator compared with a slow baseline. Flags
 * when the fast rate is both `minErrorRateIncrease` above the baseline and `threshold` binomial
 * standard deviations above it.
 */
export class ErrorRateSeries {
  private readonly fast: EwmaStat;
  private readonly slow: EwmaStat;
  private excursion = false;
  private readonly check = newCheck();
  constructor(private readonly cfg: SeriesConfig) {
    this.fast = new EwmaStat(cfg.fastAlpha);
    this.slow = new EwmaStat(cfg.baselineAlpha);
  }

  observe(isError: boolean): Check {
    const x = isError ? 1 : 0;
    this.fast.update(x);
    const pf = this.fast.mean;
    const ps = this.slow.mean;
    const samples = this.slow.count;
    const check = fill(this.check, false, 0, pf, ps, samples);
    if (samples >= this.cfg.minSamples) {
      const p = Math.min(Math.max(ps, 0.01), 0.99);
      const a = this.cfg.fastAlpha;
      // Variance of an EWMA of Bernoulli(p) draws: p(1-p) * a / (2 - a).
      const sd = Math.sqrt((p * (1 - p) * a) / (2 - a));
      const z = (pf - ps) / sd;
      const flagged = !this.excursion && z >= this.cfg.threshold && pf - ps >= this.cfg.minErrorRateIncrease;
      if (flagged) this.excursion = true;
      else if (this.excursion && pf - ps < this.cfg.minErrorRateIncrease / 2) this.excursion = false;
      check.flagged = flagged;
      check.z = z;
    }
    this.slow.update(x);
    return check;
  }
}

/**
 * Requests per time bucket, from span start times (never the wall clock). The running bucket is
 * checked on every request so a runaway agent is flagged within the minute, not after it; the
 * baseline learns from completed buckets with traffic (idle gaps are not counted, so a quiet night
 * does not make the morning look like an attack).
 */
export class VelocitySeries {
  private readonly stat: EwmaStat;
  private bucket = Number.NEGATIVE_INFINITY;
  private count = 0;
  private excursion = false;
  private readonly check = newCheck();
  constructor(
    private readonly cfg: SeriesConfig,
    private readonly bucketMs: number,
  ) {
    this.stat = new EwmaStat(cfg.alpha);
  }

  private score(count: number): number {
    const mean = this.stat.mean;
    // Two scores, keep the smaller: Anscombe (Poisson counts, good at low rates) and EWMA spread (bursty traffic).
    const zPoisson = 2 * (Math.sqrt(count + 0.375) - Math.sqrt(Math.max(0, mean) + 0.375));
    const sd = Math.sqrt(this.stat.variance);
    const zSpread = sd > 0 ? (count - mean) / sd : Number.POSITIVE_INFINITY;
    return Math.min(zPoisson, zSpread);
  }

  observe(startTime: number): Check {
    const b = Math.floor(startTime / this.bucketMs);
    if (b > this.bucket) {
      if (this.count > 0 && Number.isFinite(this.bucket)) {
        if (this.excursion && this.score(this.count) < this.cfg.threshold / 2) this.excursion = false;
        // Winsorise like ValueSeries so one runaway minute does not become the new normal at once.
        const mean = this.stat.mean;
        const spread = Math.max(Math.sqrt(this.stat.variance), Math.sqrt(Math.max(mean, 1)));
        const warm = this.stat.count >= this.cfg.minBuckets;
        this.stat.update(warm ? Math.min(this.count, mean + UPDATE_CLIP * spread) : this.count);
      }
      this.bucket = b;
      this.count = 0;
    }
    // Late spans (start before the running bucket) count toward the running bucket.
    this.count++;
    const samples = this.stat.count;
    const baseline = this.stat.mean;
    if (samples < this.cfg.minBuckets) return fill(this.check, false, 0, this.count, baseline, samples);
    const z = this.score(this.count);
    const flagged =
      !this.excursion && z >= this.cfg.threshold && this.count >= baseline * (1 + this.cfg.minRelativeChange);
    if (flagged) this.excursion = true;
    return fill(this.check, flagged, z, this.count, baseline, samples);
  }
}
