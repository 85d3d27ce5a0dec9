// Report renderers (json, md, junit) on realistic runs: a passed one, a failed one that never recovered,
// one that ended in error, and a tricky one full of markup and control characters. JUnit output is
// checked for well-formedness with xmllint (libxml2-utils) and read back with XPath.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getReportFormat, registerReportFormat, renderJUnitSuites, reportFormatNames } from '../src/report/index.js';
import type { RunReport } from '../src/report/types.js';
import { UserError } from '../src/util/errors.js';

const T0 = Date.parse('2025-03-14T09:26:53.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function baseReport(): RunReport {
  return {
    schemaVersion: 1,
    runId: 'run-20250314-092653-a1b2',
    experiment: { name: 'checkout-failover', file: 'experiments/checkout.yaml' },
    hypothesis: 'When provider A is killed, checkout keeps succeeding through provider B.',
    verdict: 'passed',
    reason: 'all tolerances held',
    startedAt: at(0),
    endedAt: at(30_000),
    seed: 42,
    targets: ['provider-a'],
    faults: [
      {
        step: 'kill-a',
        fault: 'process.kill',
        target: 'provider-a',
        injectedAt: at(5_000),
        revertedAt: at(15_000),
        error: null,
        description: 'SIGKILL pid 4242',
      },
      { step: 'slow-b', fault: 'process.pause', target: 'provider-b', injectedAt: at(6_000), revertedAt: at(14_000), error: null },
    ],
    probes: [
      { name: 'checkout', mode: 'steady-state', type: 'http', samples: 60, ok: 60, failed: 0, lastFailure: null },
      { name: 'gateway-port', mode: 'steady-state', type: 'tcp', samples: 60, ok: 60, failed: 0 },
    ],
    tolerances: [
      { name: 'availability', expected: '>= 0.99', actual: 1, ok: true, n: 20 },
      { name: 'p95', expected: '< 500ms', actual: 120.5, ok: true, n: 20 },
    ],
    measurements: {
      mttdMs: null,
      mttrMs: 0,
      availability: 1,
      availabilityByPhase: { before: 1, during: 1, after: 1 },
      samplesByPhase: { before: 10, during: 20, after: 30 },
      latencyMs: {
        before: { p50: 40, p95: 80, p99: 95, n: 10 },
        during: { p50: 60, p95: 120.5, p99: 150, n: 20 },
        after: { p50: 41, p95: 82, p99: 99, n: 30 },
      },
      probeIntervalMs: 500,
      recoverySamples: 3,
    },
    timeline: [
      { t: at(0), event: 'run.started', detail: 'seed 42' },
      { t: at(5_000), event: 'fault.injected', detail: 'process.kill provider-a' },
      { t: at(15_000), event: 'fault.reverted', detail: 'process.kill provider-a' },
      { t: at(30_000), event: 'run.ended', detail: 'passed' },
    ],
  };
}

function failedReport(): RunReport {
  const r = baseReport();
  r.verdict = 'failed';
  r.reason = 'availability 0.85 < 0.99 during the faults';
  r.endedAt = at(35_000);
  r.faults.push({
    step: 'partition',
    fault: 'custom.iptables',
    target: 'tenant-api',
    injectedAt: at(7_000),
    revertedAt: at(16_000),
    error: null,
  });
  r.probes = [
    {
      name: 'checkout',
      mode: 'steady-state',
      type: 'http',
      samples: 60,
      ok: 48,
      failed: 12,
      lastFailure: 'HTTP 503 from /checkout | upstream provider-a',
    },
    { name: 'gateway-port', mode: 'steady-state', type: 'tcp', samples: 60, ok: 60, failed: 0 },
    { name: 'tenant-list', mode: 'continuous', type: 'cmd', samples: 30, ok: 27, failed: 3, lastFailure: 'exit 1\nconnection refused' },
  ];
  r.tolerances = [
    { name: 'availability', expected: '>= 0.99', actual: 0.85, ok: false, n: 20 },
    { name: 'p95', expected: '< 500ms', actual: 1830.25, ok: false, n: 20 },
    { name: 'errors', expected: '== 0', actual: null, ok: true, n: 0 },
  ];
  r.measurements.mttdMs = 1250;
  r.measurements.mttrMs = null;
  r.measurements.availability = 0.85;
  r.measurements.availabilityByPhase = { before: 1, during: 0.85, after: 0.9 };
  r.measurements.latencyMs.during = { p50: 900, p95: 1830.25, p99: null, n: 17 };
  r.timeline.splice(2, 0, { t: at(6_250), event: 'probe.failed', detail: 'checkout: HTTP 503 | retry' });
  return r;
}

function errorReport(): RunReport {
  const r = baseReport();
  r.verdict = 'error';
  r.reason = 'fault kill-a could not be injected: EPERM';
  r.faults = [
    { step: 'kill-a', fault: 'process.kill', target: 'provider-a', injectedAt: null, revertedAt: null, error: 'kill EPERM' },
    {
      step: 'slow-b',
      fault: 'process.pause',
      target: 'provider-b',
      injectedAt: at(6_000),
      revertedAt: null,
      error: 'SIGCONT failed: ESRCH',
    },
  ];
  r.measurements.mttdMs = null;
  r.measurements.mttrMs = null;
  return r;
}

/** Markup, quotes, pipes, newlines and control characters XML 1.0 forbids. */
function trickyReport(): RunReport {
  const r = failedReport();
  r.verdict = 'aborted';
  r.runId = 'run-<&>"\'';
  r.experiment.name = 'a<b & "c" \'d\' \u0001e';
  r.experiment.file = 'my exp/<weird>.yaml';
  r.hypothesis = 'line one | with pipe\nline two <script>alert(1)</script>';
  r.reason = 'stop condition "5xx > 10%" & <abort>\u0000\u0007\u001b[31m\uFFFE';
  r.faults[0] = { ...(r.faults[0] as RunReport['faults'][number]), step: 'a|b', error: 'multi\nline | err \u0008' };
  r.tolerances[0] = { ...(r.tolerances[0] as RunReport['tolerances'][number]), name: 'avail<&>', expected: '>= "0.99"' };
  r.timeline.push({ t: 'not a date', event: 'odd]]>event', detail: 'tab\there \r\n cr \ud800 lone surrogate' });
  return r;
}

const render = (name: string, r: RunReport) => getReportFormat(name).render(r);

/** Rows of the table that follows `## heading` (header and separator excluded). */
function tableRows(md: string, heading: string): string[] {
  const section = md.split(`## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .slice(2);
}

const XMLLINT = ['/usr/bin/xmllint', '/usr/local/bin/xmllint'].find((p) => existsSync(p));

function xmllint(xml: string, ...args: string[]): string {
  if (!XMLLINT) throw new Error('xmllint missing: apt-get install libxml2-utils');
  return execFileSync(XMLLINT, [...args, '-'], { input: xml, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function xpath(xml: string, expression: string): string {
  return xmllint(xml, '--xpath', expression).replace(/\n$/, '');
}

function attr(xml: string, element: string, name: string): number {
  const match = new RegExp(`<${element}\\b[^>]*\\s${name}="([^"]*)"`).exec(xml);
  return Number(match?.[1]);
}

describe('report format registry', () => {
  it('lists the built-in formats with their extensions', () => {
    expect(reportFormatNames()).toEqual(expect.arrayContaining(['json', 'md', 'junit']));
    expect(getReportFormat('json').extension).toBe('json');
    expect(getReportFormat('md').extension).toBe('md');
    expect(getReportFormat('junit').extension).toBe('xml');
  });

  it('rejects an unknown name with a UserError naming the known formats', () => {
    expect(() => getReportFormat('mdd')).toThrow(UserError);
    expect(() => getReportFormat('mdd')).toThrow(/did you mean "md"\?/);
    expect(() => getReportFormat('spreadsheet')).toThrow(/known formats: json, md, junit, html/);
    expect(() => getReportFormat('spreadsheet')).not.toThrow(/did you mean/);
  });

  it('refuses to register a name twice', () => {
    expect(() => registerReportFormat({ name: 'json', extension: 'json', summary: 'dup', render: () => '' })).toThrow(/twice/);
  });
});

describe('json report', () => {
  it('is the report itself, 2-space indented with a trailing newline', () => {
    const r = failedReport();
    const text = render('json', r);
    expect(JSON.parse(text)).toEqual(r);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "schemaVersion": 1,');
  });
});

describe('markdown report', () => {
  it('shows a passed run with its verdict, hypothesis and clean reverts', () => {
    const md = render('md', baseReport());
    expect(md).toMatch(/^# Chaos experiment: checkout-failover — ✅ PASSED\n/);
    expect(md).toContain('> When provider A is killed, checkout keeps succeeding through provider B.');
    expect(md).toContain('| Availability (during) | 100% |');
    expect(md).toContain('| MTTR | 0ms ± 500ms |');
    expect(md).toContain('- No fault failed to revert.');
    expect(md).toContain('`faultline run experiments/checkout.yaml --seed 42`');
    expect(tableRows(md, 'Faults')).toHaveLength(2);
    expect(tableRows(md, 'Probes')).toHaveLength(2);
    expect(tableRows(md, 'Timeline')[1]).toBe('| +5.00s | fault.injected | process.kill provider-a |');
  });

  it('explains a failed run that never recovered', () => {
    const r = failedReport();
    const md = render('md', r);
    expect(md).toContain('❌ FAILED');
    expect(md).toContain('| MTTD | 1.25s ± 500ms |');
    expect(md).toContain('| MTTR | not recovered |');
    expect(md).toContain('| Availability (during) | 85% |');
    expect(md).toContain('| Samples during | 20 |');
    expect(md).toContain('| during | 900ms | 1.83s | - | 17 |');
    expect(tableRows(md, 'Faults')).toHaveLength(r.faults.length);
    expect(tableRows(md, 'Probes')).toHaveLength(r.probes.length);
    expect(tableRows(md, 'Steady-state tolerances')).toEqual([
      '| availability | >= 0.99 | 0.85 | ❌ | 20 |',
      '| p95 | < 500ms | 1830.25 | ❌ | 20 |',
      '| errors | == 0 | not measurable | ✅ | 0 |',
    ]);
    // pipes escaped and newlines kept inside their cell: every probe row still has 7 cells
    expect(md).toContain('HTTP 503 from /checkout \\| upstream provider-a');
    expect(md).toContain('exit 1<br>connection refused');
    for (const row of tableRows(md, 'Probes')) expect(row.split(/(?<!\\)\|/).length - 2).toBe(7);
    expect(md).toContain('| +6.25s | probe.failed | checkout: HTTP 503 \\| retry |');
    expect(md).toContain('- MTTD was 1.25s: the first failing sample came 1.25s after the first fault');
    expect(md).toContain('- The system did not recover within 19s of the last fault ending: no 3 consecutive good samples were seen.');
    expect(md).toContain('- Probe checkout failed 12 of 60 samples; last failure: HTTP 503 from /checkout | upstream provider-a.');
    expect(md).toContain('p95 latency rose from 80ms before to 1.83s during the faults');
  });

  it('lists faults that failed to revert in an error run', () => {
    const md = render('md', errorReport());
    expect(md).toContain('💥 ERROR');
    expect(md).toContain('| MTTD | - |');
    expect(md).toContain('| slow-b | process.pause | provider-b | +6.00s | ⚠️ not reverted | SIGCONT failed: ESRCH |');
    expect(md).toContain(
      '- 1 fault(s) failed to revert; check the targets by hand:\n  - process.pause (step slow-b) on provider-b: SIGCONT failed: ESRCH',
    );
    expect(md).toContain('reported an error: kill EPERM');
    expect(md).not.toContain('No fault failed to revert');
  });

  it('keeps tables intact with pipes, newlines and HTML in cells', () => {
    const md = render('md', trickyReport());
    expect(md).toContain('| a\\|b |');
    expect(md).toContain('multi<br>line \\| err');
    expect(md).toContain('> line two &lt;script>alert(1)&lt;/script>');
    expect(md).not.toContain('<script>');
    expect(md).toContain("`faultline run 'my exp/<weird>.yaml' --seed 42`");
    for (const row of tableRows(md, 'Faults')) expect(row.split(/(?<!\\)\|/).length - 2).toBe(6);
    expect(tableRows(md, 'Timeline').at(-1)).toContain('| not a date | odd]]>event |');
  });
});

describe('junit report', () => {
  it('has xmllint available', () => {
    expect(XMLLINT, 'install libxml2-utils').toBeDefined();
  });

  const cases: Array<[string, () => RunReport]> = [
    ['passed', baseReport],
    ['failed', failedReport],
    ['error', errorReport],
    ['tricky', trickyReport],
  ];

  it.each(cases)('is well-formed XML for the %s run', (_label, make) => {
    expect(() => xmllint(render('junit', make()), '--noout')).not.toThrow();
  });

  it('counts tests and failures the way CI shows them (passed run)', () => {
    const r = baseReport();
    const xml = render('junit', r);
    const tests = r.tolerances.length + r.probes.length + 1;
    expect(attr(xml, 'testsuite', 'tests')).toBe(tests);
    expect(attr(xml, 'testsuite', 'failures')).toBe(0);
    expect(attr(xml, 'testsuite', 'errors')).toBe(0);
    expect(attr(xml, 'testsuite', 'time')).toBe(30);
    expect(xpath(xml, 'count(//testcase)')).toBe(String(tests));
    expect(xpath(xml, 'string(//testsuite/@name)')).toBe('faultline: checkout-failover');
    expect(xpath(xml, 'string(//testsuite/@timestamp)')).toBe('2025-03-14T09:26:53');
    expect(xpath(xml, 'string(//property[@name="seed"]/@value)')).toBe('42');
    expect(xpath(xml, 'string(//property[@name="runId"]/@value)')).toBe(r.runId);
    expect(xpath(xml, 'count(//testcase[@classname="faultline.checkout-failover"][@name="steady-state: availability >= 0.99"])')).toBe('1');
    expect(xpath(xml, 'count(//testcase[@name="probe: checkout"])')).toBe('1');
    expect(xpath(xml, 'count(//failure | //error)')).toBe('0');
    expect(xpath(xml, 'string(//system-out)')).toContain('+5.00s');
  });

  it('reports broken tolerances, failing probes and the failed verdict as failures', () => {
    const r = failedReport();
    const xml = render('junit', r);
    const failures = r.tolerances.filter((t) => !t.ok).length + r.probes.filter((p) => p.failed > 0).length + 1;
    expect(attr(xml, 'testsuite', 'tests')).toBe(r.tolerances.length + r.probes.length + 1);
    expect(attr(xml, 'testsuite', 'failures')).toBe(failures);
    expect(attr(xml, 'testsuites', 'failures')).toBe(failures);
    expect(xpath(xml, 'count(//failure)')).toBe(String(failures));
    expect(xpath(xml, 'string(//testcase[@name="probe: checkout"]/failure/@message)')).toBe(
      '12 of 60 samples failed (48 ok); last failure: HTTP 503 from /checkout | upstream provider-a',
    );
    expect(xpath(xml, 'string(//testcase[@name="probe: tenant-list"]/failure/@message)')).toBe(
      '3 of 30 samples failed (27 ok); last failure: exit 1\nconnection refused',
    );
    expect(xpath(xml, 'string(//testcase[@name="verdict"]/failure/@type)')).toBe('failed');
    expect(xpath(xml, 'string(//testcase[@name="verdict"]/failure/@message)')).toBe(r.reason);
  });

  it('reports an error verdict as <error>', () => {
    const xml = render('junit', errorReport());
    expect(attr(xml, 'testsuite', 'errors')).toBe(1);
    expect(attr(xml, 'testsuite', 'failures')).toBe(0);
    expect(xpath(xml, 'string(//testcase[@name="verdict"]/error/@message)')).toBe('fault kill-a could not be injected: EPERM');
  });

  it.each(['aborted', 'interrupted'] as const)('marks an %s run as an aborted failure', (verdict) => {
    const r = baseReport();
    r.verdict = verdict;
    r.reason = 'stop condition hit';
    const xml = render('junit', r);
    expect(xpath(xml, 'string(//testcase[@name="verdict"]/failure/@type)')).toBe('aborted');
    expect(attr(xml, 'testsuite', 'failures')).toBe(1);
  });

  it('puts several runs in one document with summed counts', () => {
    const reports = [baseReport(), failedReport(), errorReport()];
    const xml = renderJUnitSuites(reports);
    expect(() => xmllint(xml, '--noout')).not.toThrow();
    expect(xpath(xml, 'count(//testsuite)')).toBe('3');
    expect(attr(xml, 'testsuites', 'tests')).toBe(Number(xpath(xml, 'count(//testcase)')));
    expect(attr(xml, 'testsuites', 'failures')).toBe(Number(xpath(xml, 'count(//failure)')));
    expect(attr(xml, 'testsuites', 'errors')).toBe(1);
    expect(attr(xml, 'testsuites', 'time')).toBe(30 + 35 + 30);
  });

  it('escapes markup and strips characters XML 1.0 forbids', () => {
    const r = trickyReport();
    const xml = render('junit', r);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that control characters are gone
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE]/);
    expect(xpath(xml, 'string(//testsuite/@name)')).toBe('faultline: a<b & "c" \'d\' e');
    expect(xpath(xml, 'string(//property[@name="runId"]/@value)')).toBe('run-<&>"\'');
    expect(xpath(xml, 'string(//testcase[@name="verdict"]/failure/@message)')).toBe('aborted: stop condition "5xx > 10%" & <abort>[31m');
    expect(xpath(xml, 'count(//testcase[@name=\'steady-state: avail<&> >= "0.99"\'])')).toBe('1');
    expect(xpath(xml, 'string(//system-out)')).toContain('odd]]>event tab\there \r\n cr  lone surrogate');
  });
});

describe('one formatter for tolerance figures', () => {
  it('a latency tolerance reads 360ms and a ratio 0.75 in Markdown, HTML, JUnit and the dashboard run page alike', async () => {
    const r = failedReport();
    r.tolerances = [
      { name: 'availability', expected: '>= 0.99', actual: 0.75, ok: false, n: 20 },
      { name: 'latencyP95Ms', expected: '< 300', actual: 360.4395, ok: false, n: 20 },
      { name: 'latencyP99Ms', expected: '< 300', actual: null, ok: false, n: 0 },
    ];
    const { reportSections } = await import('../src/web/run-sections.js');
    const pages = {
      md: render('md', r),
      html: render('html', r),
      junit: render('junit', r),
      dashboard: String(await reportSections(r)),
    };
    for (const [format, text] of Object.entries(pages)) {
      expect(text, format).toContain('360ms');
      expect(text, format).toContain('0.75');
      expect(text, format).toContain('not measurable');
      expect(text, format).not.toContain('360.4395');
    }
  });
});
