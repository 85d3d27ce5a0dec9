/** The JSON report: the public `RunReport` shape as is, 2-space indented, with a trailing newline. */
import { registerReportFormat } from './registry.js';
import type { RunReport } from './types.js';

export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

registerReportFormat({
  name: 'json',
  order: 1,
  extension: 'json',
  summary: 'the full report as JSON (stable public keys)',
  render: renderJson,
});
