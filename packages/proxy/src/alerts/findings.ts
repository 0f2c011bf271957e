import { type Finding, type Severity, type Span, severityRank } from '@llmtrace/core';
import type { AlertEventInput } from './types.js';

interface Group {
  worst: Finding;
  count: number;
  confidence: number;
  detectors: Set<string>;
  sides: Set<string>;
}

/**
 * Alert events a finished span should raise: one `security.finding` event per finding type at or
 * above `minSeverity` (so one injection attempt is one alert, however many patterns matched).
 * The event carries the worst finding's severity, message and redacted excerpt — never the
 * prompt. `dedupKey` is `security.finding:<tenant>:<findingType>`.
 *
 * @param minSeverity default `high`.
 */
export function findingAlerts(span: Span, minSeverity: Severity = 'high'): AlertEventInput[] {
  const min = severityRank(minSeverity);
  const groups = new Map<string, Group>();
  for (const f of span.findings) {
    if (severityRank(f.severity) < min) continue;
    const g = groups.get(f.type);
    if (!g) {
      groups.set(f.type, {
        worst: f,
        count: 1,
        confidence: f.confidence,
        detectors: new Set([f.detector]),
        sides: new Set(f.location ? [f.location.side] : []),
      });
      continue;
    }
    g.count++;
    g.confidence = Math.max(g.confidence, f.confidence);
    g.detectors.add(f.detector);
    if (f.location) g.sides.add(f.location.side);
    const rank = severityRank(f.severity) - severityRank(g.worst.severity);
    if (rank > 0 || (rank === 0 && f.confidence > g.worst.confidence)) g.worst = f;
  }
  const events: AlertEventInput[] = [];
  for (const [findingType, g] of groups) {
    const sides = [...g.sides].sort();
    const where = sides.length > 0 ? ` in ${sides.join(' and ')}` : '';
    const action = span.status === 'blocked' ? ' (blocked)' : '';
    events.push({
      type: 'security.finding',
      severity: g.worst.severity,
      tenantId: span.tenantId,
      ...(span.agentId ? { agentId: span.agentId } : {}),
      ...(span.model ? { model: span.model } : {}),
      traceId: span.traceId,
      title: `${findingType} detected${where}${action}`,
      details: {
        findingType,
        count: g.count,
        confidence: g.confidence,
        detectors: [...g.detectors].sort(),
        sides,
        message: g.worst.message,
        ...(g.worst.excerpt !== undefined ? { excerpt: g.worst.excerpt } : {}),
        securityScore: span.securityScore,
        spanId: span.spanId,
        status: span.status,
        ...(span.path ? { path: span.path } : {}),
      },
      time: span.endTime,
      dedupKey: `security.finding:${span.tenantId}:${findingType}`,
    });
  }
  return events;
}
