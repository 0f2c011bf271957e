export type { OtlpExporter, OtlpExporterOptions } from './exporter.js';
export { createOtlpExporter, genaiAttributes } from './exporter.js';
export { GENAI } from './genai.js';
