export { createUiRoutes } from './routes.js';
