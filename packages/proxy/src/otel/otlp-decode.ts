import { createRequire } from 'node:module';
import { LLMTraceError } from '@llmtrace/core';

/** An OTLP span flattened for mapping: hex ids, nanosecond times as strings, plain attribute values. */
export interface OtlpSpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; timeUnixNano?: string; attributes: Record<string, unknown> }>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage?: string;
  resource: Record<string, unknown>;
}

interface ProtoType {
  decode(buf: Uint8Array): unknown;
  encode(msg: unknown): { finish(): Uint8Array };
  toObject(msg: unknown, options: Record<string, unknown>): unknown;
  fromObject(obj: unknown): unknown;
}

type OtlpRoot = { opentelemetry: { proto: { collector: { trace: { v1: Record<string, ProtoType> } } } } };
let root: OtlpRoot | undefined;

// The official OTLP protobuf definitions, compiled by the OpenTelemetry JS project (protobufjs
// static code). Loaded on the first protobuf body (about 20 ms, once), not at start: most
// deployments never receive one, and the definitions hold a few MB.
function serviceType(name: 'ExportTraceServiceRequest' | 'ExportTraceServiceResponse'): ProtoType {
  root ??= createRequire(import.meta.url)(
    '@opentelemetry/otlp-transformer/build/src/generated/root.js',
  ) as OtlpRoot;
  const ns = root.opentelemetry.proto.collector.trace.v1;
  const t = ns[name];
  if (!t) throw new LLMTraceError('internal_error', `OTLP protobuf type ${name} missing`);
  return t;
}

type AnyValue = Record<string, unknown> | undefined;

/** An OTLP `AnyValue` (JSON or protobuf-as-object) as a plain JS value. */
export function anyValue(v: AnyValue): unknown {
  if (!v || typeof v !== 'object') return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) {
    const values = (v.arrayValue as { values?: AnyValue[] } | undefined)?.values ?? [];
    return values.map(anyValue);
  }
  if ('kvlistValue' in v) return attributes((v.kvlistValue as { values?: unknown[] } | undefined)?.values);
  if ('bytesValue' in v) return v.bytesValue;
  return undefined;
}

function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (kv && typeof kv === 'object' && typeof (kv as { key?: unknown }).key === 'string') {
      const { key, value } = kv as { key: string; value?: AnyValue };
      out[key] = anyValue(value);
    }
  }
  return out;
}

function base64ToHex(s: string): string {
  return Buffer.from(s, 'base64').toString('hex');
}

/** Ids are hex in OTLP/JSON; protobuf bytes come through `toObject` as base64. */
function idOf(v: unknown, encoding: 'hex' | 'base64'): string {
  if (typeof v !== 'string' || v === '') return '';
  return encoding === 'hex' ? v.toLowerCase() : base64ToHex(v);
}

function flatten(request: unknown, ids: 'hex' | 'base64'): OtlpSpanRecord[] {
  const out: OtlpSpanRecord[] = [];
  if (!request || typeof request !== 'object' || Array.isArray(request)) {
    throw new LLMTraceError('invalid_request', 'OTLP body must be an object');
  }
  // An export request without resourceSpans is valid and empty.
  const resourceSpans = (request as { resourceSpans?: unknown }).resourceSpans ?? [];
  if (!Array.isArray(resourceSpans))
    throw new LLMTraceError('invalid_request', 'OTLP resourceSpans must be an array');
  for (const rs of resourceSpans as Array<Record<string, unknown>>) {
    const resource = attributes((rs.resource as { attributes?: unknown } | undefined)?.attributes);
    for (const ss of (rs.scopeSpans as Array<Record<string, unknown>> | undefined) ?? []) {
      for (const s of (ss.spans as Array<Record<string, unknown>> | undefined) ?? []) {
        const status = (s.status as { code?: unknown; message?: unknown } | undefined) ?? {};
        const parent = idOf(s.parentSpanId, ids);
        out.push({
          traceId: idOf(s.traceId, ids),
          spanId: idOf(s.spanId, ids),
          ...(parent ? { parentSpanId: parent } : {}),
          name: typeof s.name === 'string' ? s.name : '',
          startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
          endTimeUnixNano: String(s.endTimeUnixNano ?? s.startTimeUnixNano ?? '0'),
          attributes: attributes(s.attributes),
          events: ((s.events as Array<Record<string, unknown>> | undefined) ?? []).map((e) => ({
            name: typeof e.name === 'string' ? e.name : '',
            ...(e.timeUnixNano !== undefined ? { timeUnixNano: String(e.timeUnixNano) } : {}),
            attributes: attributes(e.attributes),
          })),
          statusCode:
            typeof status.code === 'number' ? status.code : status.code === 'STATUS_CODE_ERROR' ? 2 : 0,
          ...(typeof status.message === 'string' && status.message ? { statusMessage: status.message } : {}),
          resource,
        });
      }
    }
  }
  return out;
}

/** Decode an OTLP/HTTP JSON `ExportTraceServiceRequest`. */
export function decodeOtlpJson(body: string): OtlpSpanRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new LLMTraceError('invalid_request', 'OTLP body is not valid JSON');
  }
  return flatten(parsed, 'hex');
}

/** Decode an OTLP/HTTP protobuf `ExportTraceServiceRequest`. */
export function decodeOtlpProtobuf(body: Uint8Array): OtlpSpanRecord[] {
  const type = serviceType('ExportTraceServiceRequest');
  let msg: unknown;
  try {
    msg = type.decode(body);
  } catch {
    throw new LLMTraceError('invalid_request', 'OTLP body is not a valid protobuf ExportTraceServiceRequest');
  }
  return flatten(
    type.toObject(msg, { longs: String, bytes: String, enums: Number, defaults: false }),
    'base64',
  );
}

/** An `ExportTraceServiceResponse` encoded as protobuf. */
export function encodeOtlpProtobufResponse(partialSuccess?: {
  rejectedSpans: number;
  errorMessage: string;
}): Uint8Array {
  const type = serviceType('ExportTraceServiceResponse');
  return type.encode(type.fromObject(partialSuccess ? { partialSuccess } : {})).finish();
}
