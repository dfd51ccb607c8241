import type { AuditReport } from '../types.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export const AUDIT_FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export const auditRenderers = {
  text: renderText,
  json: renderJson,
  sarif: renderSarif,
  markdown: renderMarkdown,
} as const satisfies Record<AuditFormat, (report: AuditReport) => string>;

export { renderJson, renderMarkdown, renderSarif, renderText };
