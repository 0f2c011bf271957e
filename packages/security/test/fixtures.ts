// Helpers for tests: deterministic fake credentials built at runtime, so the repository never
// contains strings that look like real keys.
import { seededRandom } from '../src/model/train.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random-looking token of `len` characters from `alphabet`, reproducible from `seed`. */
export function fakeToken(seed: number, len: number, alphabet = ALNUM): string {
  const rand = seededRandom(seed);
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/** A Luhn-valid card number with the given prefix and length. */
export function fakeCard(prefix: string, len: number, seed = 1): string {
  const body = prefix + fakeToken(seed, len - prefix.length - 1, '0123456789');
  for (let check = 0; check < 10; check++) {
    const candidate = body + check;
    let sum = 0;
    let dbl = false;
    for (let i = candidate.length - 1; i >= 0; i--) {
      let d = Number(candidate[i]);
      if (dbl) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      dbl = !dbl;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}
