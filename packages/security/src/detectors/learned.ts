import type { LearnedModel } from '../model/classifier.js';
import type { Detector, DetectorInput, RawFinding } from './types.js';

/** Probability at or above which the model reports a finding. */
export const LEARNED_THRESHOLD = 0.5;

/** Wrap a learned model as a detector (whole-text finding of type `prompt_injection`). */
export function createLearnedDetector(getModel: () => LearnedModel): Detector {
  return {
    name: 'learned',
    roles: ['user', 'tool'],
    attack: true,
    detect(input: DetectorInput): RawFinding[] {
      if (input.depth > 0) return [];
      const text = input.norm.text;
      if (text.trim().length < 8) return [];
      const p = getModel().predict(text);
      if (p < LEARNED_THRESHOLD) return [];
      return [
        {
          type: 'prompt_injection',
          severity: p >= 0.7 ? 'high' : 'medium',
          confidence: Math.round(p * 1000) / 1000,
          start: 0,
          end: text.length,
          message: `Learned classifier: attack probability ${p.toFixed(2)}`,
        },
      ];
    },
  };
}
