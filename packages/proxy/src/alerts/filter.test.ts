import { describe, expect, it } from 'vitest';
import { matchesFilter } from './filter.js';

const event = { type: 'security.finding', severity: 'high', tenantId: 'acme' } as const;

describe('matchesFilter', () => {
  it('matches everything when empty', () => {
    expect(matchesFilter({}, event)).toBe(true);
  });

  it('applies minimum severity', () => {
    expect(matchesFilter({ minSeverity: 'high' }, event)).toBe(true);
    expect(matchesFilter({ minSeverity: 'critical' }, event)).toBe(false);
    expect(matchesFilter({ minSeverity: 'high' }, { ...event, severity: 'medium' })).toBe(false);
  });

  it('matches exact types and prefixes', () => {
    expect(matchesFilter({ eventTypes: ['security.finding'] }, event)).toBe(true);
    expect(matchesFilter({ eventTypes: ['security.*'] }, event)).toBe(true);
    expect(matchesFilter({ eventTypes: ['anomaly.*', 'budget.hard_limit'] }, event)).toBe(false);
    expect(matchesFilter({ eventTypes: ['security'] }, event)).toBe(false);
  });

  it('restricts tenants', () => {
    expect(matchesFilter({ tenants: ['acme', 'globex'] }, event)).toBe(true);
    expect(matchesFilter({ tenants: ['globex'] }, event)).toBe(false);
  });
});
