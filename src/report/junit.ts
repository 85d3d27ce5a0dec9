/**
 * The JUnit XML report for CI systems (Jenkins, GitLab, GitHub test reporters): one testcase per
 * steady-state tolerance, one per probe and one for the verdict. Hand-written XML, always well-formed.
 */
import { formatFigure, formatToleranceActual } from '../util/format.js';
import { formatOffset } from './markdown.js';
import { registerReportFormat } from './registry.js';
import type { RunReport } from './types.js';

/** Characters XML 1.0 forbids anywhere (control characters, lone surrogates, U+FFFE/U+FFFF). */
const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content: forbidden characters stripped, markup characters escaped, CR kept as a reference. */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/** Attribute values: as text, plus tabs and line breaks as references so parsers keep them. */
export function escapeXmlAttr(text: string): string {
  return escapeXml(text).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${escapeXmlAttr(String(value))}"`)
    .join('');
}

function seconds(ms: number): string {
  return Number.isFinite(ms) ? (Math.max(0, ms) / 1000).toFixed(3) : '0';
}

/** The JUnit schema's timestamp: ISO 8601 without a zone (UTC here); the raw text if not a date. */
function timestamp(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 19) : iso;
}

interface Outcome {
  /** skipped: an objective that could not be measured (never counted as passed) */
  kind: 'failure' | 'error' | 'skipped';
  type: string;
  message: string;
  body: string;
}

interface Case {
  name: string;
  time?: string;
  outcome?: Outcome;
}

function verdictOutcome(r: RunReport): Outcome | undefined {
  const body = `verdict: ${r.verdict}\nreason: ${r.reason}`;
  switch (r.verdict) {
    case 'passed':
      return undefined;
    case 'failed':
      return { kind: 'failure', type: 'failed', message: r.reason, body };
    case 'error':
      return { kind: 'error', type: 'error', message: r.reason, body };
    case 'aborted':
    case 'interrupted':
      return { kind: 'failure', type: 'aborted', message: `${r.verdict}: ${r.reason}`, body };
  }
}

function cases(r: RunReport, totalMs: number): Case[] {
  const out: Case[] = [];
  for (const t of r.tolerances) {
    const actual = formatToleranceActual(t);
    out.push({
      name: `steady-state: ${t.name} ${t.expected}`,
      outcome: t.ok
        ? undefined
        : {
            kind: 'failure',
            type: 'tolerance',
            message: `${t.name} = ${actual}, expected ${t.expected} (n=${t.n})`,
            body: `expected: ${t.expected}\nactual: ${actual}\nsamples: ${t.n}`,
          },
    });
  }
  for (const o of r.objectives ?? []) {
    const measured = formatFigure(o.unit, o.actual);
    const body = `expected: ${o.expected}\nmeasured: ${measured}\nstatus: ${o.status}\ndetail: ${o.detail}`;
    out.push({
      name: `objective: ${o.name} ${o.expected}`,
      outcome:
        o.status === 'met'
          ? undefined
          : o.status === 'missed'
            ? { kind: 'failure', type: 'objective', message: `${o.name} missed: ${o.detail}, expected ${o.expected}`, body }
            : { kind: 'skipped', type: 'objective', message: `${o.name} unknown: ${o.detail}`, body },
    });
  }
  for (const p of r.probes) {
    const last = p.lastFailure ? `; last failure: ${p.lastFailure}` : '';
    out.push({
      name: `probe: ${p.name}`,
      outcome:
        p.failed === 0
          ? undefined
          : {
              kind: 'failure',
              type: 'probe',
              message: `${p.failed} of ${p.samples} samples failed (${p.ok} ok)${last}`,
              body: `type: ${p.type}\nmode: ${p.mode}\nsamples: ${p.samples}\nok: ${p.ok}\nfailed: ${p.failed}\nlast failure: ${p.lastFailure ?? '-'}`,
            },
    });
  }
  out.push({ name: 'verdict', time: seconds(totalMs), outcome: verdictOutcome(r) });
  return out;
}

function testcase(classname: string, c: Case): string {
  const head = `    <testcase${attrs({ classname, name: c.name, ...(c.time === undefined ? {} : { time: c.time }) })}`;
  if (!c.outcome) return `${head}/>`;
  const o = c.outcome;
  return [
    `${head}>`,
    o.kind === 'skipped'
      ? `      <skipped${attrs({ message: o.message })}/>`
      : `      <${o.kind}${attrs({ message: o.message, type: o.type })}>${escapeXml(o.body)}</${o.kind}>`,
    '    </testcase>',
  ].join('\n');
}

function testsuite(r: RunReport): { lines: string[]; tests: number; failures: number; errors: number; ms: number } {
  const ms = Date.parse(r.endedAt) - Date.parse(r.startedAt);
  const all = cases(r, ms);
  const failures = all.filter((c) => c.outcome?.kind === 'failure').length;
  const errors = all.filter((c) => c.outcome?.kind === 'error').length;
  const skipped = all.filter((c) => c.outcome?.kind === 'skipped').length;
  const classname = `faultline.${r.experiment.name}`;
  const properties: Record<string, string> = { runId: r.runId, seed: String(r.seed) };
  if (r.experiment.file !== null) properties.experimentFile = r.experiment.file;
  const timeline = r.timeline.map((e) => `${formatOffset(e.t, r.startedAt)} ${e.t} ${e.event} ${e.detail}`.trimEnd()).join('\n');
  const suite = {
    name: `faultline: ${r.experiment.name}`,
    tests: all.length,
    failures,
    errors,
    skipped,
    time: seconds(ms),
    timestamp: timestamp(r.startedAt),
  };
  const lines = [
    `  <testsuite${attrs(suite)}>`,
    '    <properties>',
    ...Object.entries(properties).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...all.map((c) => testcase(classname, c)),
    `    <system-out>${escapeXml(timeline)}</system-out>`,
    '  </testsuite>',
  ];
  return { lines, tests: all.length, failures, errors, ms };
}

/** One `<testsuites>` document with a `<testsuite>` per run (`faultline run --junit` over several experiments). */
export function renderJUnitSuites(reports: readonly RunReport[]): string {
  const suites = reports.map(testsuite);
  const sum = (pick: (s: (typeof suites)[number]) => number) => suites.reduce((total, s) => total + pick(s), 0);
  const totals = {
    name: 'faultline',
    tests: sum((s) => s.tests),
    failures: sum((s) => s.failures),
    errors: sum((s) => s.errors),
    time: seconds(sum((s) => (Number.isFinite(s.ms) ? Math.max(0, s.ms) : 0))),
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs(totals)}>`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
    '',
  ].join('\n');
}

export function renderJUnit(report: RunReport): string {
  return renderJUnitSuites([report]);
}

registerReportFormat({
  name: 'junit',
  order: 3,
  extension: 'xml',
  summary: 'JUnit XML for CI test reports (Jenkins, GitLab)',
  render: renderJUnit,
});
