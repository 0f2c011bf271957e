import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import type { MetricRegistry } from './prometheus.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';

/**
 * The process's memory, read at each scrape: resident set, the V8 heap of the thread that serves
 * (total, used, limit, per space) and memory held outside it; then that thread's event-loop delay
 * and GC pauses ({@link registerRuntimeMetrics}). Names follow prom-client's default metrics where
 * it has one; `nodejs_heap_size_limit_bytes` is V8's `heap_size_limit` (old plus young generation).
 */
export function registerProcessMetrics(registry: MetricRegistry): void {
  // One reading per scrape, shared by the gauges below (declared together, collected in order).
  let usage: NodeJS.MemoryUsage | undefined;
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    collect(gauge) {
      usage = process.memoryUsage();
      gauge.set(usage.rss);
    },
  });
  registry.gauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    collect(gauge) {
      if (usage) gauge.set(usage.heapTotal);
    },
  });
  registry.gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    collect(gauge) {
      if (usage) gauge.set(usage.heapUsed);
    },
  });
  registry.gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Node.js external memory size in bytes.',
    collect(gauge) {
      if (usage) gauge.set(usage.external);
    },
  });
  registry.gauge({
    name: 'nodejs_heap_size_limit_bytes',
    help: 'Largest size the V8 heap may reach (old and young generations) in bytes.',
    collect(gauge) {
      gauge.set(getHeapStatistics().heap_size_limit);
    },
  });
  let spaces: ReturnType<typeof getHeapSpaceStatistics> = [];
  registry.gauge({
    name: 'nodejs_heap_space_size_total_bytes',
    help: 'Process heap space size total from Node.js in bytes.',
    labelNames: ['space'],
    collect(gauge) {
      spaces = getHeapSpaceStatistics();
      for (const s of spaces) gauge.set(s.space_size, spaceName(s.space_name));
    },
  });
  registry.gauge({
    name: 'nodejs_heap_space_size_used_bytes',
    help: 'Process heap space size used from Node.js in bytes.',
    labelNames: ['space'],
    collect(gauge) {
      for (const s of spaces) gauge.set(s.space_used_size, spaceName(s.space_name));
    },
  });
  registerRuntimeMetrics(registry);
}

/** prom-client's label: V8's space name without its `_space` suffix (`new`, `old`, `code`, …). */
function spaceName(v8Name: string): string {
  return v8Name.endsWith('_space') ? v8Name.slice(0, -'_space'.length) : v8Name;
}
