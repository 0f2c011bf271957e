import { LLMTraceError } from '@llmtrace/core';

/** Keyset position of the last span on a page: newest-first order is (startTime desc, spanId desc). */
export interface CursorKey {
  startTime: number;
  spanId: string;
}

/** Encode a keyset position as an opaque, URL-safe cursor. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.startTime, key.spanId]), 'utf8').toString('base64url');
}

/** Decode a cursor from {@link encodeCursor}; a malformed cursor is an `invalid_request`. */
export function decodeCursor(cursor: string): CursorKey {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && typeof v[1] === 'string') {
      return { startTime: v[0] as number, spanId: v[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new LLMTraceError('invalid_request', 'invalid cursor');
}

/** Default and maximum page sizes every adapter applies. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

/** Clamp a requested page size to 1..{@link MAX_LIMIT}, default {@link DEFAULT_LIMIT}. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}
