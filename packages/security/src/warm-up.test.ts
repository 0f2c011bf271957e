import { describe, expect, it } from 'vitest';
import { createScanner } from './scanner.js';
import { warmUpCall } from './warm-up.js';

describe('scanner warm-up', () => {
  it('runs every built-in detector on the way', () => {
    const scanner = createScanner({ cacheChars: 0 });
    const detectors = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const call = warmUpCall(i);
      for (const f of scanner.scanMessages(call.messages).findings) detectors.add(f.detector);
      for (const f of scanner.scanResponse(call.reply, { systemPrompt: call.systemPrompt }).findings)
        detectors.add(f.detector);
    }
    for (const name of ['injection', 'jailbreak', 'encoding', 'pii', 'secrets', 'leakage'])
      expect(detectors, name).toContain(name);
  });

  it('leaves no trace: no scan counted, nothing cached, the same results after', () => {
    const warmed = createScanner();
    const fresh = createScanner();
    warmed.warmUp(200);
    expect(warmed.stats().scans).toBe(0);
    for (let i = 0; i < 200; i += 7) {
      const call = warmUpCall(i);
      expect(warmed.scanMessages(call.messages)).toEqual(fresh.scanMessages(call.messages));
      expect(warmed.scanResponse(call.reply, { systemPrompt: call.systemPrompt })).toEqual(
        fresh.scanResponse(call.reply, { systemPrompt: call.systemPrompt }),
      );
    }
    expect(warmed.stats()).toEqual(fresh.stats());
  });
});
