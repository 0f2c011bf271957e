/**
 * Static check for user-supplied regular expressions. JavaScript's regex engine backtracks, so a
 * pattern like `(a+)+$` can take exponential time on a crafted input (ReDoS). We reject the
 * constructs that cause super-linear backtracking instead of trying to time-limit a synchronous
 * match (which is impossible without a worker). Hand-written because a linear-time engine
 * (RE2) would add a native dependency to a package meant to be embedded anywhere.
 */

/** Why a pattern was rejected, or null when it is accepted. */
export function unsafeRegexReason(source: string): string | null {
  if (source.length > 1000) return 'pattern longer than 1000 characters';
  if (/\\[1-9]|\\k</.test(source)) return 'backreferences are not allowed';
  if (/\(\?<?[=!]/.test(source)) return 'lookaround assertions are not allowed';
  // Walk groups: a quantified group may not contain a quantifier or an alternation.
  const stack: Array<{ quantified: boolean; alternation: boolean }> = [];
  let inClass = false;
  let lastAtomQuantifiable = false;
  let prevQuantified = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      lastAtomQuantifiable = true;
      prevQuantified = false;
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        lastAtomQuantifiable = true;
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      prevQuantified = false;
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      if (source[i + 1] === '?') i += source[i + 2] === '<' ? 2 : 2;
      lastAtomQuantifiable = false;
      prevQuantified = false;
      continue;
    }
    if (c === '|') {
      const top = stack[stack.length - 1];
      if (top) top.alternation = true;
      lastAtomQuantifiable = false;
      continue;
    }
    const quant = c === '*' || c === '+' || c === '?' || c === '{';
    if (c === ')') {
      const group = stack.pop();
      if (!group) return 'unbalanced parenthesis';
      const next = source[i + 1];
      const unbounded =
        next === '*' ||
        next === '+' ||
        (next === '{' && /^\{\d*,\d*\}/.test(source.slice(i + 1)) && !/^\{\d+\}/.test(source.slice(i + 1)));
      if (unbounded && (group.quantified || group.alternation)) {
        return 'nested quantifier or quantified alternation (catastrophic backtracking)';
      }
      const parent = stack[stack.length - 1];
      if (parent && group.quantified) parent.quantified = true;
      lastAtomQuantifiable = true;
      prevQuantified = false;
      continue;
    }
    if (quant) {
      if (!lastAtomQuantifiable) {
        if (c === '?' && prevQuantified) continue; // lazy modifier
        return 'quantifier without a target';
      }
      if (c === '{') {
        const close = source.indexOf('}', i);
        if (close < 0) return 'unterminated {';
        i = close;
      }
      const top = stack[stack.length - 1];
      if (top) top.quantified = true;
      lastAtomQuantifiable = false;
      prevQuantified = true;
      continue;
    }
    lastAtomQuantifiable = true;
    prevQuantified = false;
  }
  if (stack.length > 0) return 'unbalanced parenthesis';
  return null;
}
