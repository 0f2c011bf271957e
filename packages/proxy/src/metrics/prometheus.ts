import {
  type DefaultLabels,
  defaultLabelText,
  escapeText,
  formatLabels,
  PROMETHEUS_CONTENT_TYPE,
  sampleLine,
} from './exposition.js';

/*
 * A small Prometheus client for the gateway's own metrics: counters, gauges and histograms with
 * labels, values read at scrape time, default labels. Built for the per-call path: a series is
 * found by its label values, passed positionally, through nested Maps (one level per label), and
 * holds its own numbers, so updating a series that already exists allocates nothing. The text it
 * serves is byte for byte what prom-client 15 served for the same updates (see exposition.ts).
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Series are addressed by one argument per label value; four covers every gateway metric. */
const MAX_LABELS = 4;

/** What every metric family is declared with. */
export interface FamilySpec {
  /** Metric name, e.g. `llmtrace_requests_total`. */
  name: string;
  /** The `# HELP` text. */
  help: string;
  /** Label names in exposition order, at most four; label values are passed in the same order. */
  labelNames?: readonly string[];
}

/** A counter's declaration; `collect` runs at every scrape, before the counter is read. */
export interface CounterSpec extends FamilySpec {
  collect?: (counter: Counter) => void;
}

/** A gauge's declaration; `collect` runs at every scrape, before the gauge is read. */
export interface GaugeSpec extends FamilySpec {
  collect?: (gauge: Gauge) => void;
}

/** A histogram's declaration: fixed bucket upper bounds, strictly increasing (`+Inf` is implied). */
export interface HistogramSpec extends FamilySpec {
  buckets: readonly number[];
}

type Key = string | undefined;
type Level = Map<Key, unknown>;

/** The child level under `key`, created on first use. */
function childLevel(level: Level, key: Key): Level {
  let child = level.get(key) as Level | undefined;
  if (child === undefined) {
    child = new Map();
    level.set(key, child);
  }
  return child;
}

/** Check a family's name, help and label names as prom-client did, plus the label limit. */
function checkSpec(spec: FamilySpec): readonly string[] {
  const labelNames = spec.labelNames ?? [];
  if (!spec.help) throw new Error('Missing mandatory help parameter');
  if (!METRIC_NAME.test(spec.name)) throw new Error(`Invalid metric name: ${spec.name}`);
  if (!labelNames.every((n) => LABEL_NAME.test(n))) throw new Error(`Invalid label name in ${spec.name}`);
  if (labelNames.length > MAX_LABELS) throw new Error(`${spec.name}: at most ${MAX_LABELS} labels`);
  return [...labelNames];
}

/**
 * The series of one metric family, found by label values. Series are listed in the order they
 * were created, which is the order they are exposed in.
 */
abstract class Family<S> {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected series: S[] = [];
  private index: Level = new Map();

  constructor(spec: FamilySpec) {
    this.labelNames = checkSpec(spec);
    this.name = spec.name;
    this.help = spec.help;
  }

  /** A new series whose labels print as `labels` (`name="value",…`). */
  protected abstract create(labels: string): S;

  /** Sample lines of every series, after the family's collect callback if it has one. */
  protected abstract samples(defaults: DefaultLabels): string[];

  /** The family in the text format: HELP, TYPE, then its samples. */
  exposition(defaults: DefaultLabels): string {
    const name = escapeText(this.name);
    const head = [`# HELP ${name} ${escapeText(this.help)}`, `# TYPE ${name} ${this.type}`];
    return [...head, ...this.samples(defaults)].join('\n');
  }

  /** For an unlabelled family: its one series, which always exists. */
  protected createUnlabelled(): void {
    if (this.labelNames.length === 0) this.series.push(this.create(''));
  }

  /** The series of these label values (one per label name, in order), created on first use. */
  protected find(a?: string, b?: string, c?: string, d?: string): S {
    const depth = this.labelNames.length;
    if (depth === 0) return this.series[0]!;
    let level = this.index;
    if (depth > 1) level = childLevel(level, a);
    if (depth > 2) level = childLevel(level, b);
    if (depth > 3) level = childLevel(level, c);
    const key = depth === 1 ? a : depth === 2 ? b : depth === 3 ? c : d;
    let found = level.get(key) as S | undefined;
    if (found === undefined) {
      found = this.create(formatLabels(this.labelNames, [a, b, c, d]));
      level.set(key, found);
      this.series.push(found);
    }
    return found;
  }

  /** Drop every series; an unlabelled family gets its one series back at zero. */
  protected clear(): void {
    this.series = [];
    this.index = new Map();
    this.createUnlabelled();
  }
}

/** One counter or gauge series. */
class ValueSeries {
  value = 0;
  constructor(readonly labels: string) {}
}

/** Counter and gauge samples: the series' labels, then the default labels they do not set. */
function valueSamples(family: Family<ValueSeries>, series: readonly ValueSeries[], defaults: DefaultLabels) {
  const shared = defaultLabelText(defaults, family.labelNames);
  return series.map((s) => sampleLine(family.name, [s.labels, shared], s.value));
}

/** Counters and gauges: one number per series, and an optional collector run at each scrape. */
abstract class ValueFamily<Self> extends Family<ValueSeries> {
  constructor(
    spec: FamilySpec,
    private readonly collect: ((family: Self) => void) | undefined,
  ) {
    super(spec);
    this.createUnlabelled();
  }

  /** Drop every series (an unlabelled one goes back to 0). */
  reset(): void {
    this.clear();
  }

  protected create(labels: string): ValueSeries {
    return new ValueSeries(labels);
  }

  protected samples(defaults: DefaultLabels): string[] {
    this.collect?.(this as unknown as Self);
    return valueSamples(this, this.series, defaults);
  }
}

/** A monotonic counter with labels. */
export class Counter extends ValueFamily<Counter> {
  readonly type = 'counter';

  constructor(spec: CounterSpec) {
    super(spec, spec.collect);
  }

  /**
   * Add `value` (1 when undefined) to the series of these label values. A negative or infinite
   * value throws and changes nothing.
   *
   * @example requests.inc(1, route, model, status)
   */
  inc(value: number | undefined, a?: string, b?: string, c?: string, d?: string): void {
    // prom-client's checks, in its order (a NaN passes both, as it did there).
    if (value && !Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    if (value !== undefined && value < 0) throw new Error('It is not possible to decrease a counter');
    this.find(a, b, c, d).value += value ?? 1;
  }
}

/** A gauge with labels. */
export class Gauge extends ValueFamily<Gauge> {
  readonly type = 'gauge';

  constructor(spec: GaugeSpec) {
    super(spec, spec.collect);
  }

  /**
   * Set the series of these label values to `value`.
   *
   * @example breakers.set(2, 'scanner')
   */
  set(value: number, a?: string, b?: string, c?: string, d?: string): void {
    if (typeof value !== 'number') throw new TypeError(`Value is not a valid number: ${value}`);
    this.find(a, b, c, d).value = value;
  }
}

/** One histogram series: per-bucket (not cumulative) counts, the last slot above every bound. */
class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: string,
    buckets: number,
  ) {
    this.counts = new Float64Array(buckets + 1);
  }
}

/** Index of the first bound `value` is at most, or `bounds.length` when above them all. */
function bucketIndex(bounds: readonly number[], value: number): number {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  return i;
}

/** A histogram with labels and fixed buckets. */
export class Histogram extends Family<HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];
  private readonly le: readonly string[];

  constructor(spec: HistogramSpec) {
    super(spec);
    if (this.labelNames.includes('le')) throw new Error('le is a reserved label keyword');
    if (spec.buckets.some((b, i) => i > 0 && !(b > spec.buckets[i - 1]!))) {
      throw new Error(`${spec.name}: buckets must be strictly increasing`);
    }
    this.bounds = [...spec.buckets];
    this.le = [...this.bounds.map((b) => `le="${b}"`), 'le="+Inf"'];
    this.createUnlabelled();
  }

  /**
   * Record `value` in the series of these label values. A non-finite value throws and changes
   * nothing.
   *
   * @example duration.observe(0.42, route, model, status)
   */
  observe(value: number, a?: string, b?: string, c?: string, d?: string): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const s = this.find(a, b, c, d);
    s.counts[bucketIndex(this.bounds, value)]!++;
    s.sum += value;
    s.count++;
  }

  protected create(labels: string): HistogramSeries {
    return new HistogramSeries(labels, this.bounds.length);
  }

  /** Per series: cumulative `_bucket` lines (`le` first), `+Inf`, `_sum`, `_count`. */
  protected samples(defaults: DefaultLabels): string[] {
    const bucketDefaults = defaultLabelText(defaults, [...this.labelNames, 'le']);
    const shared = defaultLabelText(defaults, this.labelNames);
    const bucket = `${this.name}_bucket`;
    const lines: string[] = [];
    for (const s of this.series) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        lines.push(sampleLine(bucket, [this.le[i]!, bucketDefaults, s.labels], cumulative));
      }
      lines.push(sampleLine(bucket, [this.le.at(-1)!, bucketDefaults, s.labels], s.count));
      lines.push(sampleLine(`${this.name}_sum`, [shared, s.labels], s.sum));
      lines.push(sampleLine(`${this.name}_count`, [shared, s.labels], s.count));
    }
    return lines;
  }
}

/**
 * The metric families of one owner, exposed in the order they were declared. Never global: each
 * registry holds only what was declared on it.
 */
export class MetricRegistry {
  readonly contentType = PROMETHEUS_CONTENT_TYPE;
  private readonly families: Array<Counter | Gauge | Histogram> = [];

  /** @param defaultLabels labels added to every sample, read at each scrape. */
  constructor(private readonly defaultLabels: Readonly<Record<string, string>> = {}) {}

  /** Declare a counter. */
  counter(spec: CounterSpec): Counter {
    return this.add(new Counter(spec));
  }

  /** Declare a gauge. */
  gauge(spec: GaugeSpec): Gauge {
    return this.add(new Gauge(spec));
  }

  /** Declare a histogram. */
  histogram(spec: HistogramSpec): Histogram {
    return this.add(new Histogram(spec));
  }

  /** The text exposition of every family; collect callbacks run first, family by family. */
  metrics(): string {
    const defaults = Object.entries(this.defaultLabels);
    return `${this.families.map((f) => f.exposition(defaults)).join('\n\n')}\n`;
  }

  private add<F extends Counter | Gauge | Histogram>(family: F): F {
    if (this.families.some((f) => f.name === family.name)) {
      throw new Error(`A metric with the name ${family.name} has already been registered.`);
    }
    this.families.push(family);
    return family;
  }
}

/**
 * Create an empty metric registry.
 *
 * @example
 * const registry = createRegistry({ instance_role: 'proxy' });
 * const requests = registry.counter({ name: 'requests_total', help: 'Calls', labelNames: ['model'] });
 * requests.inc(1, 'gpt-4o');
 * registry.metrics(); // '# HELP requests_total Calls\n# TYPE requests_total counter\n…'
 */
export function createRegistry(defaultLabels?: Readonly<Record<string, string>>): MetricRegistry {
  return new MetricRegistry(defaultLabels);
}
