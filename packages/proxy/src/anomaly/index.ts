export type { AnomalyDetector, AnomalyOptions } from './detector.js';
export { createAnomalyDetector } from './detector.js';
export type { Ewma } from './ewma.js';
export { createEwma } from './ewma.js';
export type { AnomalyEvent, AnomalyMetric } from './types.js';
export { ANOMALY_METRICS } from './types.js';
