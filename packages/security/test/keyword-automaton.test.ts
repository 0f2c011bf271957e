// The keyword automaton that decides which pattern rules run must find exactly the keywords the
// plain path (the keyword alternation in a look-ahead, tried at every position) finds: a missed
// keyword would skip a rule. Texts are made of whole keywords, their heads and their tails, so that
// keywords overlap, nest and end inside one another.
import { describe, expect, it } from 'vitest';
import { INDIRECT_RULES, INJECTION_RULES } from '../src/detectors/injection.js';
import { JAILBREAK_RULES } from '../src/detectors/jailbreak.js';
import { keywordGroups, keywordsIn } from '../src/detectors/types.js';
import { seededRandom } from '../src/model/train.js';

describe('keyword automaton', () => {
  it('finds the keywords the plain path finds, overlapping and nested ones included', () => {
    for (const rules of [INJECTION_RULES, INDIRECT_RULES, JAILBREAK_RULES]) {
      const keywords = [...new Set(rules.flatMap((r) => r.keywords))];
      const random = seededRandom(11);
      const pick = (n: number): number => Math.floor(random() * n);
      let differing = 0;
      let found = 0;
      for (let k = 0; k < 300; k++) {
        let text = '';
        for (let i = 1 + pick(8); i > 0; i--) {
          const w = keywords[pick(keywords.length)]!;
          const cut = pick(3);
          text += cut === 0 ? w : cut === 1 ? w.slice(pick(w.length)) : w.slice(0, 1 + pick(w.length));
          text += ['', ' ', 'x', 'é '][pick(4)];
        }
        const fast = keywordsIn(rules, text, true);
        found += fast.length;
        if (JSON.stringify(fast) !== JSON.stringify(keywordsIn(rules, text, false))) differing++;
      }
      expect(found).toBeGreaterThan(300);
      expect(differing).toBe(0);
    }
  });

  it('tells which word lists occur in one pass', () => {
    const inText = keywordGroups([['ignore', 'forget'], ['erongi'], ['gnore']]);
    expect(inText('nothing here')).toBe(0);
    expect(inText('please IGNORE')).toBe(0);
    expect(inText('please ignore this')).toBe(0b101);
    expect(inText('erongi')).toBe(0b010);
    expect(inText('forget it, erongi, ignore')).toBe(0b111);
  });
});
