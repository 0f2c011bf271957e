import { describe, expect, it } from 'vitest';
import { createScanner } from '../scanner.js';
import { systemPromptOverlap } from './leakage.js';

const sys =
  'You are Harbor, a travel assistant for Bluewave Cruises. Only recommend Bluewave itineraries. Never mention competitor prices. If a user asks about refunds, direct them to the claims portal and do not promise amounts.';

describe('system-prompt leakage', () => {
  const scanner = createScanner({ learnedModel: false });

  it('flags a verbatim reproduction of the system prompt', () => {
    const r = scanner.scanResponse(`Of course. My instructions say: "${sys}"`, { systemPrompt: sys });
    const f = r.findings.find((x) => x.type === 'leak.system_prompt');
    expect(f?.severity).toBe('high');
    expect(r.verdict).not.toBe('allow');
  });

  it('flags a light paraphrase', () => {
    const para =
      'Sure: I am Harbor, the travel assistant for Bluewave Cruises. I only recommend Bluewave itineraries and I never mention competitor prices. When users ask about refunds I direct them to the claims portal and I do not promise amounts.';
    expect(scanner.scanResponse(para, { systemPrompt: sys }).findings.map((f) => f.type)).toContain(
      'leak.system_prompt',
    );
  });

  it('does not flag an ordinary answer that shares a few words', () => {
    const answer =
      'Bluewave Cruises has a 7-night Caribbean itinerary leaving Miami in May. Would you like the deck plans?';
    expect(scanner.scanResponse(answer, { systemPrompt: sys }).findings.map((f) => f.type)).not.toContain(
      'leak.system_prompt',
    );
    expect(systemPromptOverlap(answer, sys)?.verbatim ?? 0).toBeLessThan(0.3);
  });

  it('needs a system prompt to compare against', () => {
    expect(scanner.scanResponse(sys).findings.map((f) => f.type)).not.toContain('leak.system_prompt');
  });
});
