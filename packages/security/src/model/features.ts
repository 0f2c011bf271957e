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
 * Sparse feature vector: bucket indices (each once: an n-gram that comes again does not count
 * again) and one shared value, 1/sqrt(number of buckets), so long and short texts score on the
 * same scale.
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
  const n = collectFeatures(text, cfg);
  const indices = scratch.slice(0, n);
  return { indices, value: n > 0 ? 1 / Math.sqrt(n) : 0 };
}

/**
 * The weighted sum of `text`'s features over `weights`, scaled by 1/sqrt(number of features): the
 * same as summing `weights[i] * value` over {@link featurize}'s indices, in the same order, but
 * without a vector or a callback per feature (inference runs on every scanned prompt).
 *
 * @example featureScore('ignore previous instructions', DEFAULT_FEATURES, new Float32Array(1 << 18)) // 0
 */
export function featureScore(text: string, cfg: FeatureConfig, weights: Float32Array): number {
  const n = collectFeatures(text, cfg);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += weights[scratch[k]!]!;
  return n > 0 ? sum / Math.sqrt(n) : 0;
}

// Feature indices of the last text, reused across calls (grown as needed): a text has at most one
// unigram and one bigram per two characters plus one 4-gram per character, so 2 × length + 2 fit.
let scratch = new Int32Array(4096);

/**
 * Write the bucket index of every feature of `text` into `scratch`, each once, in a fixed order
 * (first seen first), and return how many there are.
 */
function collectFeatures(text: string, cfg: FeatureConfig): number {
  const s = prepareText(text, cfg);
  if (scratch.length < 2 * s.length + 2) scratch = new Int32Array(2 * s.length + 2);
  const out = scratch;
  let n = 0;
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
      out[n++] = w & mask;
      if (prev !== 0) out[n++] = (Math.imul(prev ^ w, 0x9e3779b1) ^ 0x5bd1e995) & mask;
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
    out[n++] = (g ^ 0x63) & mask;
    a = b;
    b = c3;
    c3 = d;
  }
  return dedupe(out, n, mask);
}

// Per bucket, the number of the last text that had a feature there: a feature seen again in the
// same text is dropped without clearing anything between texts.
let seenIn = new Int32Array(0);
let textNumber = 0;

/**
 * Keep each bucket once, in first-seen order, and return how many are left. Features are binary:
 * counted again, the n-grams of a text that repeats itself would weigh √repeats times more after
 * normalising, and a long repetitive text would score near certainty whichever way it leans.
 */
function dedupe(out: Int32Array, n: number, mask: number): number {
  if (seenIn.length !== mask + 1) {
    seenIn = new Int32Array(mask + 1);
    textNumber = 0;
  }
  if (++textNumber === 0x7fffffff) {
    seenIn.fill(0);
    textNumber = 1;
  }
  let kept = 0;
  for (let k = 0; k < n; k++) {
    const i = out[k]!;
    if (seenIn[i] === textNumber) continue;
    seenIn[i] = textNumber;
    out[kept++] = i;
  }
  return kept;
}
