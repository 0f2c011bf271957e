export { createStaticAuthenticator, extractApiKey, hasRole } from './auth.js';
export { buildOpenApiDocument } from './openapi.js';
export { createApiRoutes } from './routes.js';
export type { ApiDeps, ApiKeyInfo, EventLog, KeyAdmin, Principal, Role, SpendWindow } from './types.js';
