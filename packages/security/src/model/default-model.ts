import type { LearnedModel, ModelWeights } from './classifier.js';
import { createModel } from './classifier.js';
import weights from './weights/injection.json' with { type: 'json' };

let cached: LearnedModel | undefined;

/** The model shipped with the package (weights bundled at build time; no download). Loaded lazily once. */
export function loadDefaultModel(): LearnedModel {
  cached ??= createModel(weights as unknown as ModelWeights);
  return cached;
}
