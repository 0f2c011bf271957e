export type { OtlpExporter, OtlpExporterOptions } from './exporter.js';
export { createOtlpExporter, genaiAttributes } from './exporter.js';
export { GENAI } from './genai.js';
export type { OtlpIngestDeps } from './ingest-routes.js';
export { createOtlpIngestRoutes } from './ingest-routes.js';
export type { OtlpSpanRecord } from './otlp-decode.js';
export { decodeOtlpJson, decodeOtlpProtobuf } from './otlp-decode.js';
export { isGenAiSpan, otlpToSpan } from './otlp-map.js';
