/**
 * Hashed n-gram features for the learned detector: word unigrams and bigrams plus character
 * 4-grams, hashed into a fixed number of buckets (the "hashing trick"), binary and L2-normalised.
 * Shared by training and inference so both see exactly the same features.
 */

/** Feature extraction settings stored with the weights. */
export interface FeatureConfig {
  /** log2 of the number of hash buckets. */
  bits: number;
  /** Characters taken from the start and from the end of long texts. */
  headChars: number;
  tailChars: number;
}

/** Defaults used by the shipped model. */
export const DEFAULT_FEATURES: FeatureConfig = { bits: 18, headChars: 6000, tailChars: 2000 };

/**
 * Sparse feature vector: bucket indices (repeats allowed: a repeated n-gram counts again) and one
 * shared value, 1/sqrt(number of n-grams), so long and short texts score on the same scale.
 */
export interface FeatureVector {
  indices: Int32Array;
  value: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c > 0xbf;
}

/** Lower-case, collapse whitespace, and keep the head and tail of long texts. */
export function prepareText(text: string, cfg: FeatureConfig): string {
  const t =
    text.length > cfg.headChars + cfg.tailChars
      ? `${text.slice(0, cfg.headChars)} ${text.slice(-cfg.tailChars)}`
      : text;
  return t.toLowerCase();
}

/**
 * Extract the hashed feature vector of `text`.
 *
 * @example featurize('ignore previous instructions', DEFAULT_FEATURES).indices.length > 0
 */
export function featurize(text: string, cfg: FeatureConfig = DEFAULT_FEATURES): FeatureVector {
  const seen: number[] = [];
  forEachFeature(text, cfg, (i) => {
    seen.push(i);
  });
  const indices = Int32Array.from(seen);
  return { indices, value: indices.length > 0 ? 1 / Math.sqrt(indices.length) : 0 };
}

/**
 * Call `sink` with the bucket index of every feature of `text` (repeats included), without
 * allocating a vector: inference sums weights on the fly.
 */
export function forEachFeature(text: string, cfg: FeatureConfig, sink: (index: number) => void): void {
  const s = prepareText(text, cfg);
  const mask = (1 << cfg.bits) - 1;
  // Word unigrams and bigrams.
  let prev = 0;
  let h = FNV_OFFSET;
  let inWord = false;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    if (isWordChar(c)) {
      h = Math.imul(h ^ c, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      const w = Math.imul(h ^ 0x77, FNV_PRIME) >>> 0;
      sink(w & mask);
      if (prev !== 0) sink((Math.imul(prev ^ w, 0x9e3779b1) ^ 0x5bd1e995) & mask);
      prev = w;
      h = FNV_OFFSET;
      inWord = false;
    }
  }
  // Character 4-grams over the text with whitespace runs treated as one space.
  let a = 32;
  let b = 32;
  let c3 = 32;
  for (let i = 0; i < s.length; i++) {
    let d = s.charCodeAt(i);
    if (d === 9 || d === 10 || d === 13) d = 32;
    if (d === 32 && c3 === 32) continue;
    let g = Math.imul(FNV_OFFSET ^ a, FNV_PRIME);
    g = Math.imul(g ^ b, FNV_PRIME);
    g = Math.imul(g ^ c3, FNV_PRIME);
    g = Math.imul(g ^ d, FNV_PRIME);
    sink((g ^ 0x63) & mask);
    a = b;
    b = c3;
    c3 = d;
  }
}
