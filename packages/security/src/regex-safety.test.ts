import { describe, expect, it } from 'vitest';
import { unsafeRegexReason } from './regex-safety.js';

describe('unsafeRegexReason', () => {
  it.each(['TCK-\\d{6}', '\\b(?:foo|bar)\\b', '[a-z]+@[a-z]+\\.com', '(ab){2,5}', 'x(?:a|b)y', 'a+?b'])(
    'accepts %s',
    (p) => {
      expect(unsafeRegexReason(p)).toBeNull();
    },
  );
  it.each(['(a+)+', '(a*)*b', '(a|aa)+', '(?:x+y?)*z', '(\\w+\\s?){1,}$', '(a)\\1', '(?=a)b'])(
    'rejects %s',
    (p) => {
      expect(unsafeRegexReason(p)).not.toBeNull();
    },
  );
});
