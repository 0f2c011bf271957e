import type { FeatureConfig, FeatureVector } from './features.js';
import { DEFAULT_FEATURES, featurize } from './features.js';

/** One labelled training example. */
export interface TrainingExample {
  text: string;
  /** 1 = attack (injection or jailbreak), 0 = benign. */
  label: 0 | 1;
}

/** Training hyper-parameters (defaults in brackets). */
export interface TrainOptions {
  features?: FeatureConfig;
  /** Passes over the data [12]. */
  epochs?: number;
  /** AdaGrad learning rate [0.5]. */
  learningRate?: number;
  /** L2 penalty per example [1e-5]. */
  l2?: number;
  /** Shuffle seed [42]. */
  seed?: number;
}

/** Deterministic PRNG (mulberry32) so training is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Train a class-balanced L2-regularised logistic regression with AdaGrad over hashed features.
 * Pure and deterministic for a given seed.
 */
export function trainLogistic(
  examples: readonly TrainingExample[],
  options: TrainOptions = {},
): { weights: Float32Array; bias: number; features: FeatureConfig } {
  const features = options.features ?? DEFAULT_FEATURES;
  const epochs = options.epochs ?? 12;
  const lr = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-5;
  const rand = seededRandom(options.seed ?? 42);
  const dim = 1 << features.bits;
  const w = new Float32Array(dim);
  const g2 = new Float32Array(dim);
  let bias = 0;
  let gBias = 0;
  const vecs: FeatureVector[] = examples.map((e) => featurize(e.text, features));
  const pos = examples.filter((e) => e.label === 1).length;
  const neg = examples.length - pos;
  // Balance classes so the decision threshold 0.5 is meaningful whatever the class ratio.
  const wPos = pos > 0 ? examples.length / (2 * pos) : 1;
  const wNeg = neg > 0 ? examples.length / (2 * neg) : 1;
  const order = examples.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const idx of order) {
      const v = vecs[idx]!;
      const y = examples[idx]!.label;
      let z = bias;
      for (let k = 0; k < v.indices.length; k++) z += w[v.indices[k]!]! * v.value;
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - y) * (y === 1 ? wPos : wNeg);
      for (let k = 0; k < v.indices.length; k++) {
        const f = v.indices[k]!;
        const grad = g * v.value + l2 * w[f]!;
        g2[f] = g2[f]! + grad * grad;
        w[f] = w[f]! - (lr * grad) / (Math.sqrt(g2[f]!) + 1e-8);
      }
      gBias += g * g;
      bias -= (lr * g) / (Math.sqrt(gBias) + 1e-8);
    }
  }
  return { weights: w, bias, features };
}
