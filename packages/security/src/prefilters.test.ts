import { describe, expect, it } from 'vitest';
import { INDIRECT_RULES, INJECTION_RULES } from './detectors/injection.js';
import { JAILBREAK_RULES } from './detectors/jailbreak.js';
import { keywordsIn } from './detectors/types.js';
import { createScanner } from './scanner.js';

// The pre-filters (keyword automaton, digit runs, hints) only skip work: a scanner without them
// must find exactly the same. Random texts built from pieces of attack phrases, overlapping
// keywords, non-ASCII and leetspeak, so that keywords occur inside, across and beside each other.
describe('pre-filters', () => {
  const fast = createScanner({ cacheChars: 0, learnedModel: false });
  const plain = createScanner({ cacheChars: 0, learnedModel: false, prefilters: false });
  const pieces = [
    'ignore ',
    'IGNORE all ',
    'previous instructions',
    'ignora las instrucciones ',
    'забудь ',
    'you are now ',
    'you are going to ',
    'you are ',
    'DAN ',
    'do anything now',
    '[INST] ',
    '<<SYS>>',
    '```',
    ' system prompt ',
    'reveal your ',
    'developer mode ',
    '🔓 ',
    'JAILBREAK ',
    '1gn0r3 ',
    'pr3v10us ',
    'Subject: ',
    'Dear Anna, ',
    'note to the AI: ',
    'the weather is nice ',
    'café ',
    'İ',
    ', ',
    '. ',
    '\n',
  ];

  it('change no finding', () => {
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    let differing = 0;
    let findings = 0;
    for (let k = 0; k < 400; k++) {
      let text = '';
      for (let i = 1 + (next() % 12); i > 0; i--) text += pieces[next() % pieces.length];
      const a = fast.scanMessages([{ role: 'user', content: text }]);
      const b = plain.scanMessages([{ role: 'user', content: text }]);
      findings += a.findings.length;
      if (JSON.stringify(a) !== JSON.stringify(b)) differing++;
    }
    expect(findings).toBeGreaterThan(400);
    expect(differing).toBe(0);
  });
});

describe('keyword automaton', () => {
  it('finds the keywords the alternation finds, overlapping and nested ones included', () => {
    for (const rules of [INJECTION_RULES, INDIRECT_RULES, JAILBREAK_RULES]) {
      const keywords = [...new Set(rules.flatMap((r) => r.keywords))];
      let seed = 11;
      const next = (): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed >>> 8;
      };
      let differing = 0;
      let found = 0;
      for (let k = 0; k < 300; k++) {
        let text = '';
        for (let i = 1 + (next() % 8); i > 0; i--) {
          const w = keywords[next() % keywords.length]!;
          // A whole keyword, or its tail or head: suffixes and prefixes of other keywords.
          const cut = next() % 3;
          text +=
            cut === 0 ? w : cut === 1 ? w.slice(next() % w.length) : w.slice(0, 1 + (next() % w.length));
          text += ['', ' ', 'x', 'é '][next() % 4];
        }
        const a = keywordsIn(rules, text, true);
        found += a.length;
        if (JSON.stringify(a) !== JSON.stringify(keywordsIn(rules, text, false))) differing++;
      }
      expect(found).toBeGreaterThan(300);
      expect(differing).toBe(0);
    }
  });
});
