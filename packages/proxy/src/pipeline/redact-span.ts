import type { Finding, Span } from '@llmtrace/core';

/** Finding types whose matched text is removed from stored spans when redaction is on. */
const REDACTED = /^(pii|secret)\./;

function redactText(text: string, ranges: Array<{ start: number; end: number; type: string }>): string {
  // Right to left, so earlier offsets stay valid; overlapping ranges are merged into the first.
  const sorted = [...ranges].sort((a, b) => b.start - a.start);
  let out = text;
  let floor = Number.POSITIVE_INFINITY;
  for (const r of sorted) {
    const end = Math.min(r.end, floor, out.length);
    if (r.start < 0 || r.start >= end) continue;
    out = `${out.slice(0, r.start)}[REDACTED:${r.type}]${out.slice(end)}`;
    floor = r.start;
  }
  return out;
}

/**
 * A copy of a span with the text of its PII and secret findings replaced by typed placeholders
 * (`[REDACTED:pii.email]`), in the prompt messages and the response. Findings keep their type and
 * offsets (into the original text) but lose their excerpt.
 */
export function redactSpan(span: Span): Span {
  const hits = span.findings.filter(
    (f): f is Finding & { location: NonNullable<Finding['location']> } =>
      REDACTED.test(f.type) && f.location !== undefined,
  );
  if (hits.length === 0) return span;
  const byMessage = new Map<number, Array<{ start: number; end: number; type: string }>>();
  const inResponse: Array<{ start: number; end: number; type: string }> = [];
  for (const f of hits) {
    const r = { start: f.location.start, end: f.location.end, type: f.type };
    if (f.location.side === 'response') inResponse.push(r);
    else if (f.location.messageIndex !== undefined) {
      const list = byMessage.get(f.location.messageIndex) ?? [];
      list.push(r);
      byMessage.set(f.location.messageIndex, list);
    }
  }
  return {
    ...span,
    prompt: span.prompt.map((m, i) => {
      const ranges = byMessage.get(i);
      return ranges ? { ...m, content: redactText(m.content, ranges) } : m;
    }),
    response: inResponse.length > 0 ? redactText(span.response, inResponse) : span.response,
    findings: span.findings.map((f) => (REDACTED.test(f.type) ? { ...f, excerpt: undefined } : f)),
  };
}
