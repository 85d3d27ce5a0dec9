/**
 * Objectives (`spec.objectives`) judged after a real run through the CLI: a missed objective fails a
 * run whose hypothesis held and is named in the reason; an objective that could not be measured is
 * `unknown`, never met; every report format shows them (JUnit: one testcase each).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { freePort, killStarted, portOpen, startPythonHttpServer, startSleeper, waitFor } from './support/processes.js';

afterEach(() => killStarted());

async function httpServer(): Promise<{ port: number; pid: number }> {
  const port = await freePort();
  const server = startPythonHttpServer(port, tempDir());
  await waitFor(() => portOpen(port), 10_000, 'the http server');
  return { port, pid: server.pid as number };
}

/** Runs the file with every report format written, and reads them back. */
async function runWithReports(file: string) {
  const dir = tempDir('faultline-objectives-');
  const home = tempHome();
  const result = await runCli(['run', file, '--report-dir', dir, '--junit', join(dir, 'junit.xml')], { home });
  const read = (ext: string) => {
    const name = readdirSync(dir).find((f) => f.endsWith(ext) && f !== 'junit.xml');
    return name ? readFileSync(join(dir, name), 'utf8') : '';
  };
  const report = JSON.parse(read('.json')) as RunReport;
  return { ...result, report, markdown: read('.md'), html: read('.html'), junit: readFileSync(join(dir, 'junit.xml'), 'utf8'), home };
}

describe('objectives', () => {
  it('a missed objective fails a run whose hypothesis held, and names the objective; unknown ones are never met', async () => {
    const server = await httpServer();
    const file = writeExperiment(
      'pause-web-with-objectives',
      `
hypothesis: The web server answers while it is paused for a second (it will not).
targets:
  - { name: web, process: { pid: ${server.pid} } }
probes:
  - name: web
    type: http
    http: { url: "http://127.0.0.1:${server.port}/", timeout: 200ms }
    interval: 100ms
steadyState:
  probes: [ web ]
  tolerance: { availability: { gte: 0 } }
  recoveryTimeout: 5s
objectives:
  availability: { gte: 0.99 }
  mttd: { lt: 1m }
  mttr: { lt: 5m }
  lostWrites: { eq: 0 }
method:
  - fault: process.pause
    selector: { names: [ web ] }
    duration: 1s
`,
    );
    const { code, report, markdown, html, junit, stdout } = await runWithReports(file);
    expect(code).toBe(1);
    expect(report.verdict).toBe('failed');
    expect(report.reason).toMatch(/^objective missed: availability 0(\.\d+)?, expected >= 0\.99$/);
    const byName = Object.fromEntries((report.objectives ?? []).map((o) => [o.name, o]));
    expect(Object.keys(byName)).toEqual(['mttd', 'mttr', 'availability', 'lostWrites']);
    expect(byName.availability?.status).toBe('missed');
    expect(byName.availability?.actual).toBe(report.measurements.availability);
    expect(byName.mttd?.status).toBe('met');
    expect(byName.mttd?.actual).toBe(report.measurements.mttdMs);
    expect(byName.mttd?.expected).toBe('< 1m');
    expect(byName.mttr?.status).toBe('met');
    expect(byName.mttr?.actual).toBe(report.measurements.mttrMs);
    expect(byName.lostWrites).toMatchObject({ status: 'unknown', actual: null, detail: 'needs a write probe' });
    // every format shows them
    expect(stdout).toMatch(/objectives: mttd met \(.+\), mttr met \(.+\), availability missed \(0(\.\d+)?\), lostWrites unknown/);
    expect(markdown).toMatch(/## Objectives/);
    expect(markdown).toMatch(/\| availability \| >= 0\.99 \| 0(\.\d+)? \| ❌ missed \|/);
    expect(markdown).toMatch(/\| lostWrites \| == 0 \| - \| ❔ unknown \| needs a write probe \|/);
    expect(html).toMatch(/<h3>Objectives<\/h3>/);
    expect(html).toMatch(/❔ unknown/);
    expect(junit).toMatch(
      /<testcase classname="faultline.pause-web-with-objectives" name="objective: availability &gt;= 0.99">\s*<failure message="availability missed/,
    );
    expect(junit).toMatch(/name="objective: mttd &lt; 1m"\/>/);
    expect(junit).toMatch(/name="objective: lostWrites == 0">\s*<skipped message="lostWrites unknown: needs a write probe"\/>/);
    expect(junit).toMatch(/skipped="1"/);
  });

  it('when nothing failed, MTTR is "not applicable" (null with a reason) and an mttr objective is unknown, not met', async () => {
    const server = await httpServer();
    const worker = startSleeper('objectives-nothing-fails');
    const file = writeExperiment(
      'pause-unrelated-with-objectives',
      `
hypothesis: Pausing an unrelated worker does not affect the web server.
targets:
  - { name: worker, process: { pid: ${worker.pid} } }
probes:
  - name: web
    type: http
    http: { url: "http://127.0.0.1:${server.port}/" }
    interval: 100ms
steadyState:
  probes: [ web ]
objectives:
  mttr: { lt: 5m }
  rto: { lt: 10m }
  availability: { gte: 0.99 }
method:
  - fault: process.pause
    selector: { names: [ worker ] }
    duration: 1s
`,
    );
    const { code, report, markdown, stdout } = await runWithReports(file);
    expect(code).toBe(0);
    expect(report.verdict).toBe('passed');
    expect(report.measurements.mttrMs).toBeNull();
    expect(report.measurements.mttrReason).toMatch(/^not applicable: no steady-state sample failed/);
    expect(stdout).toMatch(/MTTR not applicable/);
    expect(markdown).toMatch(/\| MTTR \| not applicable \|/);
    const status = Object.fromEntries((report.objectives ?? []).map((o) => [o.name, o.status]));
    expect(status).toEqual({ mttr: 'unknown', availability: 'met', rto: 'unknown' });
  });

  it('rto is the time from the first fault to the steady state holding again', async () => {
    const server = await httpServer();
    const file = writeExperiment(
      'pause-web-rto',
      `
hypothesis: The web server is back within ten seconds of being paused.
targets:
  - { name: web, process: { pid: ${server.pid} } }
probes:
  - name: web
    type: http
    http: { url: "http://127.0.0.1:${server.port}/", timeout: 200ms }
    interval: 100ms
steadyState:
  probes: [ web ]
  tolerance: { availability: { gte: 0 } }
objectives:
  rto: { lt: 10s }
method:
  - fault: process.pause
    selector: { names: [ web ] }
    duration: 1s
`,
    );
    const { code, report } = await runWithReports(file);
    expect(code).toBe(0);
    const fault = report.faults[0];
    const held = Date.parse(fault?.revertedAt as string) - Date.parse(fault?.injectedAt as string);
    const rto = report.objectives?.[0];
    expect(rto).toMatchObject({ name: 'rto', status: 'met' });
    expect(rto?.actual).toBe(held + (report.measurements.mttrMs as number));
  });
});
