import { describe, expect, it } from 'vitest';
import { SPAN_COLUMNS, spanToRow, spanToValues } from '../src/shared/span-row.js';
import { fullSpan, makeSpan } from './fixtures.js';

describe('spanToValues', () => {
  it.each([
    ['every optional field set', fullSpan()],
    ['optional fields absent', makeSpan({ spanId: 'span-min' })],
  ])('gives the row in SPAN_COLUMNS order (%s)', (_, span) => {
    const values = spanToValues(span);
    // spanToRow converts its fresh record: build the expected row from a copy of the span.
    const row = spanToRow(structuredClone(span));
    expect(values).toHaveLength(SPAN_COLUMNS.length);
    expect(values).toEqual(SPAN_COLUMNS.map((c) => row[c]));
  });
});
