export { checkExposure, createDashboardHandler, safeNext, startDashboard } from './app.js';
export type { DashboardOptions, RunningDashboard, StartDashboardOptions } from './app.js';
export { DashboardAuth, SESSION_COOKIE, isLoopbackHost } from './auth.js';
export { escapeHtml, html } from './html.js';
