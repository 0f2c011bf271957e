import { describe, expect, it } from 'vitest';
import { SPAN_COLUMNS, spanToRecord, spanToValues } from '../src/shared/span-row.js';
import { fullSpan, makeSpan } from './fixtures.js';

/** Columns stored as JSON text. */
const JSON_COLUMNS = new Set(['findings', 'prompt', 'tool_calls', 'params', 'tags']);

describe('spanToValues', () => {
  it.each([
    ['every optional field set', fullSpan()],
    ['optional fields absent', makeSpan({ spanId: 'span-min' })],
  ])('gives the row in SPAN_COLUMNS order (%s)', (_, span) => {
    const values = spanToValues(span);
    const record = spanToRecord(span);
    expect(values).toHaveLength(SPAN_COLUMNS.length);
    // Each value is its column's field of the span: JSON columns as JSON text, `stream` as 0 or 1.
    const decoded = SPAN_COLUMNS.map((c, i) =>
      JSON_COLUMNS.has(c) && values[i] !== null ? JSON.parse(values[i] as string) : values[i],
    );
    expect(decoded).toEqual(SPAN_COLUMNS.map((c) => (c === 'stream' ? (record.stream ? 1 : 0) : record[c])));
  });
});
