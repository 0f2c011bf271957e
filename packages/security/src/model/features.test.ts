import { describe, expect, it } from 'vitest';
import { loadDefaultModel } from './default-model.js';
import { featurize } from './features.js';

const BENIGN = [
  'The quarterly report covers revenue and hiring.',
  'Please summarise the attached meeting notes for the team.',
  'Our support team resolved most tickets within a day.',
  'word',
];

describe('learned model features', () => {
  it('holds each bucket once, so a text repeated has the buckets of the text once and those across the joins', () => {
    for (const text of BENIGN) {
      const once = featurize(text);
      const many = featurize(`${text} `.repeat(200));
      expect(new Set(many.indices).size).toBe(many.indices.length);
      for (const i of once.indices) expect(many.indices).toContain(i);
      // The joins (end of one copy, start of the next) add a few n-grams, not 200 copies.
      expect(many.indices.length).toBeLessThan(once.indices.length + 12);
    }
  });

  it('scores a benign text repeated many times about as it scores the text once', () => {
    const model = loadDefaultModel();
    for (const text of BENIGN) {
      const once = model.predict(text);
      const many = model.predict(`${text} `.repeat(200));
      expect(many).toBeLessThan(0.5);
      expect(Math.abs(many - once)).toBeLessThan(0.2);
    }
  });
});
