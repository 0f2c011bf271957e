import { type Finding, type Severity, type Span, severityRank } from '@llmtrace/core';
import type { AlertEventInput } from './types.js';

/**
 * The alert category of a finding type: the first dotted segment for dotted types (`pii`,
 * `secret`, `leak`, `custom`), and `injection` for undotted ones — by the shared naming, undotted
 * types (`prompt_injection`, `jailbreak`, `system_prompt_override`, `prompt_extraction`, …) are all
 * facets of an attack on the prompt, and one attempt often trips several. One span raises at
 * most one alert per category.
 *
 * @example findingCategory('secret.aws_access_key') // 'secret'
 */
export function findingCategory(type: string): string {
  const dot = type.indexOf('.');
  return dot > 0 ? type.slice(0, dot) : 'injection';
}

interface Group {
  types: Set<string>;
  worst: Finding;
  count: number;
  confidence: number;
  detectors: Set<string>;
  sides: Set<string>;
}

/**
 * Alert events a finished span should raise: one `security.finding` event per finding category
 * (see {@link findingCategory}) with findings at or above `minSeverity` — so one injection attempt
 * is one alert even when it trips `prompt_injection`, `system_prompt_override` and `jailbreak` at
 * once, while a leaked key in the same call is a second, separate alert. The event carries the
 * worst finding's type (`details.findingType`), severity, message and redacted excerpt, and every
 * type seen (`details.findingTypes`) — never the prompt. `dedupKey` is
 * `security.finding:<tenant>:<category>`.
 *
 * @param minSeverity default `high`.
 */
export function findingAlerts(span: Span, minSeverity: Severity = 'high'): AlertEventInput[] {
  const min = severityRank(minSeverity);
  const groups = new Map<string, Group>();
  for (const f of span.findings) {
    if (severityRank(f.severity) < min) continue;
    const category = findingCategory(f.type);
    const g = groups.get(category);
    if (!g) {
      groups.set(category, {
        types: new Set([f.type]),
        worst: f,
        count: 1,
        confidence: f.confidence,
        detectors: new Set([f.detector]),
        sides: new Set(f.location ? [f.location.side] : []),
      });
      continue;
    }
    g.types.add(f.type);
    g.count++;
    g.confidence = Math.max(g.confidence, f.confidence);
    g.detectors.add(f.detector);
    if (f.location) g.sides.add(f.location.side);
    const rank = severityRank(f.severity) - severityRank(g.worst.severity);
    if (rank > 0 || (rank === 0 && f.confidence > g.worst.confidence)) g.worst = f;
  }
  const events: AlertEventInput[] = [];
  for (const [category, g] of groups) {
    const findingType = g.worst.type;
    const others = [...g.types].filter((t) => t !== findingType).sort();
    const also = others.length > 0 ? ` (with ${others.join(', ')})` : '';
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
      title: `${findingType} detected${where}${action}${also}`,
      details: {
        findingType,
        findingTypes: [...g.types].sort(),
        category,
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
      dedupKey: `security.finding:${span.tenantId}:${category}`,
    });
  }
  return events;
}
