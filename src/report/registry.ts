/**
 * The one registry of report formats. Each format file calls `registerReportFormat` at its top level;
 * scripts/generate.mjs lists them in ./registered.ts, so a new format is one file.
 */

import type { Sample } from '../probes/sample.js';
import { UserError } from '../util/errors.js';
import { Registry } from '../util/registry.js';
import { didYouMean } from '../util/suggest.js';
import type { RunReport } from './types.js';

/** Built-in names, open to formats registered later. */
export type ReportFormatName = 'json' | 'md' | 'junit' | 'html' | (string & {});

/**
 * What a renderer may use besides the report. The samples stay out of the report itself (a long run
 * has thousands, and the JSON report stays small); formats that chart them (html) receive them here.
 */
export interface RenderContext {
  /** the run's probe samples: `RunResult.samples`, or `RunStore.samplesOf(runId)` */
  samples?: readonly Sample[];
}

export interface ReportFormat {
  name: ReportFormatName;
  /** file extension without the dot, e.g. `xml` */
  extension: string;
  /** one line for `--help` and docs */
  summary: string;
  /** its place in lists (`--format` help, the API's formats): lower first; formats without one come last */
  order?: number;
  render(report: RunReport, context?: RenderContext): string;
}

const formats = new Registry<ReportFormat>('report format');

export function registerReportFormat(format: ReportFormat): ReportFormat {
  return formats.add(format.name, format);
}

export function getReportFormat(name: string): ReportFormat {
  const format = formats.get(name);
  if (!format) {
    const names = reportFormatNames();
    throw new UserError(`unknown report format "${name}"${didYouMean(name, names)}; known formats: ${names.join(', ')}`);
  }
  return format;
}

/** Names in their `order` (json, md, junit, html for the built-ins), then the others as registered. */
export function reportFormatNames(): string[] {
  const place = (name: string) => formats.get(name)?.order ?? Number.POSITIVE_INFINITY;
  return formats.names().sort((a, b) => place(a) - place(b));
}
