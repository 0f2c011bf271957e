import { encodingDetector } from './encoding.js';
import { injectionDetector } from './injection.js';
import { jailbreakDetector } from './jailbreak.js';
import { leakageDetector } from './leakage.js';
import { piiDetector } from './pii.js';
import { secretsDetector } from './secrets.js';
import type { Detector } from './types.js';

/**
 * The built-in rule detectors, in run order. Adding a detector = one module in this folder plus
 * one line here. (`learned` and `custom` are built per scanner because they take options.)
 */
export const BUILTIN_DETECTORS: readonly Detector[] = [
  injectionDetector,
  jailbreakDetector,
  encodingDetector,
  piiDetector,
  secretsDetector,
  leakageDetector,
];
