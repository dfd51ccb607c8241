export { createDashboardHandler, startDashboard } from './app.js';
export type { DashboardOptions, RunningDashboard } from './app.js';
export { escapeHtml, html } from './html.js';
