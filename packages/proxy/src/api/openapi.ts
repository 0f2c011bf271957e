import { z } from 'zod';
import {
  createKeyBody,
  createTenantBody,
  eventsQuery,
  findingListQuery,
  findingSummaryQuery,
  responses,
  spanListQuery,
  statsQuery,
  tenantParam,
} from './schemas.js';
import type { Role } from './types.js';

interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  role: Role;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: keyof typeof responses;
  status?: number;
}

/** Every operation of `/api/v1`, the source of the OpenAPI document. */
export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/me', summary: 'The caller: tenant and role', role: 'viewer', response: 'Me' },
  {
    method: 'get',
    path: '/spans',
    summary: 'Spans, newest first, filtered, cursor-paginated',
    role: 'viewer',
    query: spanListQuery,
    response: 'SpanPage',
  },
  {
    method: 'get',
    path: '/spans/{spanId}',
    summary: 'One span (with ?traceId=)',
    role: 'viewer',
    query: tenantParam.extend({ traceId: z.string() }),
    response: 'Span',
  },
  {
    method: 'get',
    path: '/traces',
    summary: 'Trace summaries, newest first, with the span filters',
    role: 'viewer',
    query: spanListQuery,
    response: 'TracePage',
  },
  {
    method: 'get',
    path: '/traces/{traceId}',
    summary: 'A trace with all its spans',
    role: 'viewer',
    query: tenantParam,
    response: 'Trace',
  },
  {
    method: 'get',
    path: '/findings',
    summary: 'Security findings, newest first',
    role: 'viewer',
    query: findingListQuery,
    response: 'FindingPage',
  },
  {
    method: 'get',
    path: '/findings/summary',
    summary: 'Findings by type, severity and action',
    role: 'viewer',
    query: findingSummaryQuery,
    response: 'FindingSummary',
  },
  {
    method: 'get',
    path: '/stats',
    summary: 'Requests, tokens, cost, errors and findings, grouped',
    role: 'viewer',
    query: statsQuery,
    response: 'Stats',
  },
  {
    method: 'get',
    path: '/spend',
    summary: 'Current spend per budget window',
    role: 'operator',
    query: tenantParam,
    response: 'Spend',
  },
  {
    method: 'get',
    path: '/anomalies',
    summary: 'Anomaly history, newest first',
    role: 'operator',
    query: eventsQuery,
    response: 'Events',
  },
  {
    method: 'get',
    path: '/alerts',
    summary: 'Alert history, newest first',
    role: 'operator',
    query: eventsQuery,
    response: 'Events',
  },
  {
    method: 'get',
    path: '/tenants',
    summary: 'Tenants visible to the caller',
    role: 'operator',
    response: 'TenantList',
  },
  {
    method: 'post',
    path: '/tenants',
    summary: 'Create a tenant (global admin)',
    role: 'admin',
    body: createTenantBody,
    response: 'Tenant',
    status: 201,
  },
  {
    method: 'get',
    path: '/keys',
    summary: "The tenant's API keys (never the secrets)",
    role: 'operator',
    query: tenantParam,
    response: 'ApiKeyList',
  },
  {
    method: 'post',
    path: '/keys',
    summary: 'Create an API key; the secret is returned once',
    role: 'admin',
    body: createKeyBody,
    response: 'CreatedKey',
    status: 201,
  },
  {
    method: 'delete',
    path: '/keys/{keyId}',
    summary: 'Revoke an API key',
    role: 'admin',
    query: tenantParam,
    response: 'ApiKey',
  },
];

function queryParameters(schema: z.ZodObject | undefined) {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: 'query', required: json.required?.includes(name) ?? false, description, schema: rest };
  });
}

/** Build the OpenAPI 3.1 document of `/api/v1` from the zod schemas. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const status = String(op.status ?? 200);
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = {
      summary: op.summary,
      description: `Needs the ${op.role} role.`,
      parameters: [...pathParams, ...queryParameters(op.query)],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: z.toJSONSchema(op.body, { io: 'input' }) } },
            },
          }
        : {}),
      responses: {
        [status]: {
          description: 'OK',
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.response}` } } },
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  const schemas = Object.fromEntries(
    Object.entries(responses).map(([name, s]) => [name, z.toJSONSchema(s, { io: 'output' })]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'LLMTrace API', version: '1' },
    servers: [{ url: '/api/v1' }],
    security: [{ llmtraceKey: [] }, { bearer: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        llmtraceKey: { type: 'apiKey', in: 'header', name: 'X-LLMTrace-Key' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
