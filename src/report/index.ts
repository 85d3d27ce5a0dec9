/** Report formats: importing this module registers every one (registered.ts, generated from the format files). */
import './registered.js';

export { renderHtml } from './html.js';
export { renderJson } from './json.js';
export { escapeXml, escapeXmlAttr, renderJUnit, renderJUnitSuites } from './junit.js';
export { escapeMarkdownCell, formatOffset, renderMarkdown } from './markdown.js';
export type { RenderContext, ReportFormat, ReportFormatName } from './registry.js';
export { getReportFormat, registerReportFormat, reportFormatNames } from './registry.js';
