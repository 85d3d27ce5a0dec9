/** Report formats: importing this module registers json, md and junit. */
import './json.js';
import './markdown.js';
import './junit.js';

export { renderJson } from './json.js';
export { escapeXml, escapeXmlAttr, renderJUnit, renderJUnitSuites } from './junit.js';
export { escapeMarkdownCell, formatOffset, renderMarkdown } from './markdown.js';
export type { ReportFormat, ReportFormatName } from './registry.js';
export { getReportFormat, registerReportFormat, reportFormatNames } from './registry.js';
