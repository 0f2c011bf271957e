// Character classes by UTF-16 code, for the scanners that read text in place instead of through a
// regular expression. Each answers false for NaN (`charCodeAt` past either end).

/** `/[a-z]/i` on one character. */
export function isAsciiLetter(c: number): boolean {
  return (c | 0x20) >= 97 && (c | 0x20) <= 122;
}

/** `/[a-z0-9]/i` on one character. */
export function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || isAsciiLetter(c);
}

/** `\w` of a regular expression without the `u` flag: `[A-Za-z0-9_]`. */
export function isRegexWordChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 95;
}
