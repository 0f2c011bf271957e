import type { Finding, Logger, Span } from '@llmtrace/core';
import type { LocalScanner } from './types.js';

/**
 * Load `createScanner()` from `@llmtrace/security` on first use (it is an optional peer
 * dependency). Resolves `undefined`, with a warning, when the package is not installed.
 */
export async function loadSecurityScanner(logger: Logger): Promise<LocalScanner | undefined> {
  try {
    const mod = await import('@llmtrace/security');
    return mod.createScanner();
  } catch (err) {
    logger.warn(
      'llmtrace: enableSecurity is on but @llmtrace/security could not be loaded; spans are exported unscanned',
      {
        err: String(err),
      },
    );
    return undefined;
  }
}

function key(f: Finding): string {
  const l = f.location;
  return `${f.type}|${f.detector}|${l ? `${l.side}:${l.messageIndex ?? ''}:${l.start}:${l.end}` : ''}`;
}

/** Scan a finished span's prompt and response and merge the findings in (score = the highest). */
export function scanSpan(span: Span, scanner: LocalScanner, logger: Logger): Span {
  // A scanner fault must never lose the span: export it unscanned.
  try {
    const system = span.prompt.find((m) => m.role === 'system')?.content;
    const results = [
      span.prompt.length > 0 ? scanner.scanMessages(span.prompt) : undefined,
      span.response !== '' ? scanner.scanResponse(span.response, { systemPrompt: system }) : undefined,
    ];
    const seen = new Set(span.findings.map(key));
    for (const r of results) {
      if (!r) continue;
      span.securityScore = Math.max(span.securityScore, r.score);
      for (const f of r.findings) {
        if (seen.has(key(f))) continue;
        seen.add(key(f));
        span.findings.push(f);
      }
    }
  } catch (err) {
    logger.warn('llmtrace: local scan failed', { err: String(err) });
  }
  return span;
}
