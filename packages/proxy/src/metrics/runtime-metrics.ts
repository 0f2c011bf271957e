import {
  constants,
  type IntervalHistogram,
  monitorEventLoopDelay,
  PerformanceObserver,
} from 'node:perf_hooks';
import type { Gauge, Histogram, MetricRegistry } from './prometheus.js';

/*
 * How long the serving thread's event loop was held up, and by garbage collection: what a call's
 * latency gains when the proxy itself is the bottleneck. Both are process-wide (one monitor and
 * one observer however many registries read them), started by the first registry that declares
 * these metrics.
 */

/**
 * Sampling period of the event-loop delay monitor (ms), as prom-client's default: a timer this
 * often, and the time from one of its runs to the next is the figure recorded (so never under
 * 10 ms); 100 wake-ups a second cost well under 0.1% of a core.
 */
const LOOP_RESOLUTION_MS = 10;

/**
 * GC pause buckets (seconds). Finer than prom-client's (1 ms, 10 ms, 100 ms, …): on a proxy whose
 * latency budget is a couple of milliseconds, young-generation pauses of 0.5 ms and 2 ms differ.
 */
const GC_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

let loopDelay: IntervalHistogram | undefined;
// Histograms fed by the GC observer; weak, so a registry that is dropped (tests build many) goes.
const gcHistograms = new Set<WeakRef<Histogram>>();
let gcObserver: PerformanceObserver | undefined;

function startLoopMonitor(): IntervalHistogram {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loopDelay.enable();
  }
  return loopDelay;
}

function observeGc(histogram: Histogram): void {
  gcHistograms.add(new WeakRef(histogram));
  if (gcObserver) return;
  gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as { detail?: { kind?: number } }).detail;
      const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
      const seconds = entry.duration / 1000;
      for (const ref of gcHistograms) {
        const h = ref.deref();
        if (h) h.observe(seconds, kind);
        else gcHistograms.delete(ref);
      }
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
}

type LoopStat = readonly [name: string, help: string, value: (h: IntervalHistogram) => number];

/** The event-loop delay statistics, in the order they are declared. */
const LOOP_STATS: readonly LoopStat[] = [
  ['min', 'The minimum recorded event loop delay.', (h) => h.min],
  ['max', 'The maximum recorded event loop delay.', (h) => h.max],
  ['mean', 'The mean of the recorded event loop delays.', (h) => h.mean],
  ['stddev', 'The standard deviation of the recorded event loop delays.', (h) => h.stddev],
  ...[50, 90, 99].map(
    (p): LoopStat => [
      `p${p}`,
      `The ${p}th percentile of the recorded event loop delays.`,
      (h) => h.percentile(p),
    ],
  ),
];

/**
 * Declare the event-loop delay gauges (`nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`,
 * over the time since the previous scrape, as prom-client reports them) and the GC pause histogram
 * (`nodejs_gc_duration_seconds{kind}`: `minor`, `major`, `incremental`, `weakcb`).
 *
 * The figures are the time between runs of a timer due every 10 ms, so 10 ms is an idle loop and
 * anything over it is delay: the time the loop was busy (a slice of span analysis, a GC pause,
 * a burst of requests) or the thread waited for a CPU. The figures are read,
 * then reset, at each scrape, so with several scrapers each sees the delay since any last scrape.
 */
export function registerRuntimeMetrics(registry: MetricRegistry): void {
  const monitor = startLoopMonitor();
  const gauges: Gauge[] = [];
  // The first gauge's collect sets them all (families are collected in declaration order), then
  // starts a new interval. Nothing recorded yet (scrapes closer together than one period): the
  // gauges keep the last figures.
  const readLoop = (): void => {
    if (monitor.count > 0) {
      for (const [i, [, , value]] of LOOP_STATS.entries()) gauges[i]?.set(value(monitor) / 1e9);
    }
    monitor.reset();
  };
  for (const [stat, help] of LOOP_STATS) {
    gauges.push(
      registry.gauge({
        name: `nodejs_eventloop_lag_${stat}_seconds`,
        help,
        collect: gauges.length === 0 ? readLoop : undefined,
      }),
    );
  }
  observeGc(
    registry.histogram({
      name: 'nodejs_gc_duration_seconds',
      help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
      labelNames: ['kind'],
      buckets: GC_BUCKETS,
    }),
  );
}
