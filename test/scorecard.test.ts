/**
 * `faultline scorecard` over real runs made with the CLI: pass rates, MTTD/MTTR percentiles and
 * objectives checked against the runs' own JSON reports, coverage, the resilience score, every format,
 * and bad input (one line, exit 3).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from '../src/measure/percentile.js';
import type { RunReport } from '../src/report/types.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { freePort, killStarted, portOpen, startPythonHttpServer, waitFor } from './support/processes.js';

const home = tempHome();
const reports: RunReport[] = [];

function experiment(name: string, port: number, pid: number, objectives: string): string {
  return `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  hypothesis: The web server comes back after a short pause.
  targets: [ { name: web, process: { pid: ${pid} } } ]
  probes:
    - { name: web, type: http, http: { url: "http://127.0.0.1:${port}/", timeout: 200ms }, interval: 100ms }
  steadyState: { probes: [ web ], tolerance: { availability: { gte: 0 } } }
  objectives: ${objectives}
  method:
    - { fault: process.pause, selector: { names: [ web ] }, duration: 800ms }
`;
}

async function run(file: string): Promise<void> {
  const dir = tempDir('faultline-scorecard-reports-');
  await runCli(['run', file, '--report-dir', dir], { home });
  const json = readdirSync(dir).find((f) => f.endsWith('.json')) as string;
  reports.push(JSON.parse(readFileSync(join(dir, json), 'utf8')) as RunReport);
}

beforeAll(async () => {
  const port = await freePort();
  const web = startPythonHttpServer(port, tempDir());
  await waitFor(() => portOpen(port), 10_000, 'the web server');
  const dir = tempDir();
  const recovers = join(dir, 'recovers.yaml');
  const strict = join(dir, 'strict.yaml');
  writeFileSync(recovers, experiment('web-recovers', port, web.pid as number, '{ mttr: { lt: 1m } }'));
  writeFileSync(strict, experiment('web-always-up', port, web.pid as number, '{ availability: { gte: 0.99 } }'));
  for (const file of [recovers, recovers, strict]) await run(file);
}, 60_000);

afterAll(() => killStarted());

const scorecard = (args: string[]) => runCli(['scorecard', ...args], { home });

describe('faultline scorecard', () => {
  it('gives per experiment the pass rate, MTTD/MTTR p50 and p90 and objectives met of the JSON reports, and a resilience score', async () => {
    expect(reports.map((r) => r.verdict)).toEqual(['passed', 'passed', 'failed']);
    const result = await scorecard(['--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const card = JSON.parse(result.stdout);
    expect(card.runs).toBe(3);
    expect(card.experiments.map((e: { name: string }) => e.name)).toEqual(['web-always-up', 'web-recovers']);
    const recovers = card.experiments[1];
    const own = reports.filter((r) => r.experiment.name === 'web-recovers');
    const mttd = own.map((r) => r.measurements.mttdMs as number);
    const mttr = own.map((r) => r.measurements.mttrMs as number);
    expect(recovers).toMatchObject({
      runs: 2,
      passRate: 1,
      lastVerdict: 'passed',
      lastRunId: own[1]?.runId,
      objectivesMet: 1,
      objectives: { mttr: { met: 2, missed: 0, unknown: 0 } },
      mttdMs: { p50: percentile(mttd, 50), p90: percentile(mttd, 90), n: 2 },
      mttrMs: { p50: percentile(mttr, 50), p90: percentile(mttr, 90), n: 2 },
      trend: { previousRuns: 0, previousPassRate: null, passRateChange: null },
    });
    expect(card.experiments[0]).toMatchObject({ runs: 1, passRate: 0, lastVerdict: 'failed', objectivesMet: 0 });
    expect(card.experiments[0].objectives.availability.missed).toBe(1);
    expect(card.resilienceScore).toBe(50);
    expect(card.coverage).toEqual({ families: ['process'], targets: ['web'], cells: [{ family: 'process', target: 'web', runs: 3 }] });
  });

  it('keeps to the experiments asked for, names those that did not run, and compares with the previous period', async () => {
    const card = JSON.parse((await scorecard(['--format', 'json', '--experiment', 'web-recovers', 'never-ran'])).stdout);
    expect(card.experiments.map((e: { name: string }) => e.name)).toEqual(['web-recovers']);
    expect(card.notRun).toEqual(['never-ran']);
    expect(card.resilienceScore).toBe(100);
    // a period that starts at the second run: the first one is the previous period's
    const t1 = Date.parse(reports[1]?.startedAt as string);
    const period = ['--since', new Date(t1).toISOString(), '--until', new Date(t1 + 3_600_000).toISOString()];
    const split = JSON.parse((await scorecard(['--format', 'json', ...period])).stdout);
    expect(split.runs).toBe(2);
    expect(split.experiments[1]).toMatchObject({
      name: 'web-recovers',
      runs: 1,
      trend: { previousRuns: 1, previousPassRate: 1, passRateChange: 0, previousMttdMs: { n: 1, p50: reports[0]?.measurements.mttdMs } },
    });
    expect(split.experiments[0].trend).toMatchObject({ previousRuns: 0, passRateChange: null });
  });

  it('prints a table, Markdown and a printable HTML page', async () => {
    const table = (await scorecard([])).stdout;
    expect(table).toMatch(/scorecard .*: 3 runs, resilience score 50 \/ 100/);
    expect(table).toMatch(/web-recovers\s+2\s+100% \(2\/2\)\s+passed/);
    const md = (await scorecard(['--format', 'md'])).stdout;
    expect(md).toMatch(/^# Chaos scorecard/);
    expect(md).toMatch(/\| web-always-up \| 1 \| 0% \(0\/1\) \| failed \|/);
    const html = (await scorecard(['--format', 'html'])).stdout;
    expect(html).toMatch(/<span class="score" id="resilience-score">50 \/ 100<\/span>/);
    expect(html).not.toMatch(/<script/);
  });

  it('refuses bad input with one line and exit 3', async () => {
    for (const [args, message] of [
      [['--since', 'yesterday'], /^faultline: --since yesterday: expected a duration such as 30d or a date/],
      [['--format', 'pdf'], /^faultline: .*pdf.*; see `faultline --help`/],
      [['--store', 'mysql://x'], /^faultline: --store "mysql:\/\/x": expected sqlite/],
    ] as const) {
      const result = await scorecard([...args]);
      expect(result.code).toBe(3);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});
