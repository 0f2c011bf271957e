export * from './open/index.js';
export * from './retention/index.js';
export {
  type CursorKey,
  DEFAULT_LIMIT,
  decodeCursor,
  encodeCursor,
  MAX_LIMIT,
  pageLimit,
} from './shared/cursor.js';
export { isErrorSpan, matchesQuery } from './shared/semantics.js';
export * from './writer/index.js';
