import { Buffer } from 'node:buffer';
import type { FeatureConfig } from './features.js';
import { DEFAULT_FEATURES, featureScore } from './features.js';

/** Serialised weights as committed in `weights/*.json`. */
export interface ModelWeights {
  version: 1;
  features: FeatureConfig;
  bias: number;
  /** Multiply a stored int8 weight by this to get the float weight. */
  scale: number;
  /** base64 of an Int8Array of length 2^bits. */
  weights: string;
  /** Free-form training metadata (data, seed, CV metrics). */
  meta?: Record<string, unknown>;
}

/** A loaded linear classifier. */
export interface LearnedModel {
  /** Probability (0–1) that `text` is a prompt-injection or jailbreak attempt. */
  predict(text: string): number;
  readonly features: FeatureConfig;
}

/** Build a model from float weights (training output) or from serialised {@link ModelWeights}. */
export function createModel(
  source: ModelWeights | { weights: Float32Array; bias: number; features?: FeatureConfig },
): LearnedModel {
  let w: Float32Array;
  let bias: number;
  let features: FeatureConfig;
  if (typeof source.weights === 'string') {
    const s = source as ModelWeights;
    const bytes = Buffer.from(s.weights, 'base64');
    const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    w = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) w[i] = q[i]! * s.scale;
    bias = s.bias;
    features = s.features;
  } else {
    const s = source as { weights: Float32Array; bias: number; features?: FeatureConfig };
    w = s.weights;
    bias = s.bias;
    features = s.features ?? DEFAULT_FEATURES;
  }
  return {
    features,
    predict(text: string): number {
      return 1 / (1 + Math.exp(-(bias + featureScore(text, features, w))));
    },
  };
}

/** Quantise float weights to int8 for a compact committed file. */
export function serializeModel(
  weights: Float32Array,
  bias: number,
  features: FeatureConfig,
  meta?: Record<string, unknown>,
): ModelWeights {
  let max = 0;
  for (let i = 0; i < weights.length; i++) max = Math.max(max, Math.abs(weights[i]!));
  const scale = max > 0 ? max / 127 : 1;
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++)
    q[i] = Math.max(-127, Math.min(127, Math.round(weights[i]! / scale)));
  return { version: 1, features, bias, scale, weights: Buffer.from(q.buffer).toString('base64'), meta };
}
