export type { IngestDeps } from './routes.js';
export { createIngestRoutes } from './routes.js';
export type { IngestSpan } from './schema.js';
export { ingestSpanSchema } from './schema.js';
