export { createRouter, PROVIDER_HEADER, type RouteResult, type RouteRule, type Router } from './router.js';
