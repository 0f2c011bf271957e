export type { LearnedModel, ModelWeights } from './classifier.js';
export { createModel, serializeModel } from './classifier.js';
export { loadDefaultModel } from './default-model.js';
export type { FeatureConfig, FeatureVector } from './features.js';
export { DEFAULT_FEATURES, featurize } from './features.js';
export type { TrainingExample, TrainOptions } from './train.js';
export { seededRandom, trainLogistic } from './train.js';
