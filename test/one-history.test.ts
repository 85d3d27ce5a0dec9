/**
 * One history: a run made with the CLI and a run made through the daemon are recorded by the same code
 * into the same tables (SQLite by default, PostgreSQL with --store), so the API lists both with exactly
 * the figures of their JSON reports.
 * Real processes: the CLI as a child process, `faultline serve`, a python web server that is paused.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { openDaemonStore } from '../src/store/open.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { call, killDaemons, makeToken, startDaemon } from './support/daemon.js';
import { postgresAvailable, startPostgres } from './support/postgres.js';
import { freePort, killStarted, portOpen, startPythonHttpServer, waitFor } from './support/processes.js';

afterAll(async () => {
  await killDaemons();
  killStarted();
});

function pauseWebExperiment(port: number, pid: number): string {
  return `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: pause-web-one-history }
spec:
  hypothesis: The web server comes back after a one-second pause.
  targets: [ { name: web, process: { pid: ${pid} } } ]
  probes:
    - { name: web, type: http, http: { url: "http://127.0.0.1:${port}/", timeout: 200ms }, interval: 100ms }
  steadyState: { probes: [ web ], tolerance: { availability: { gte: 0 } } }
  objectives: { mttr: { lt: 1m } }
  method:
    - { fault: process.pause, selector: { names: [ web ] }, duration: 1s }
`;
}

const figures = (r: { mttdMs: number | null; mttrMs: number | null; availability: number | null }) => ({
  mttdMs: r.mttdMs,
  mttrMs: r.mttrMs,
  availability: r.availability,
});

/**
 * A run through the CLI, then one through the daemon, on the same store (`--store` of both; none: the
 * SQLite default of $FAULTLINE_HOME): the API lists both with the figures of their JSON reports.
 */
async function cliAndDaemonRuns(store?: string): Promise<void> {
  const home = tempHome();
  const port = await freePort();
  const web = startPythonHttpServer(port, tempDir());
  await waitFor(() => portOpen(port), 10_000, 'the web server');
  const yaml = pauseWebExperiment(port, web.pid as number);
  const dir = tempDir('faultline-one-history-');
  const file = join(dir, 'pause-web.yaml');
  writeFileSync(file, yaml);

  const storeArgs = store ? ['--store', store] : [];
  const cli = await runCli(['run', file, '--report-dir', dir, ...storeArgs], { home });
  expect(cli.code, cli.stdout + cli.stderr).toBe(0);
  const reportFile = readdirSync(dir).find((f) => f.endsWith('.json')) as string;
  const cliReport = JSON.parse(readFileSync(join(dir, reportFile), 'utf8')) as RunReport;
  expect(cliReport.measurements.mttdMs).not.toBeNull();

  const token = await makeToken(home, 'olga', 'operator', storeArgs);
  const daemon = await startDaemon(home, storeArgs);
  const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
    call(daemon.url, method, path, { token, ...options });
  expect((await api('POST', '/api/v1/experiments', { yaml })).status).toBe(201);
  const started = await api('POST', '/api/v1/runs', { json: { experiment: 'pause-web-one-history' } });
  expect(started.status).toBe(202);
  const daemonRunId = started.json.runId as string;
  await waitFor(async () => Boolean((await api('GET', `/api/v1/runs/${daemonRunId}`)).json.run.verdict), 30_000, 'the daemon run');
  const daemonReport = (await api('GET', `/api/v1/runs/${daemonRunId}/report?format=json`)).json as RunReport;
  expect(daemonReport.measurements.mttdMs).not.toBeNull();

  const listed = (await api('GET', '/api/v1/runs')).json.runs as {
    id: string;
    verdict: string;
    trigger: string | null;
    mttdMs: number | null;
    mttrMs: number | null;
    availability: number | null;
  }[];
  expect(listed.map((r) => r.id).sort()).toEqual([cliReport.runId, daemonRunId].sort());
  for (const report of [cliReport, daemonReport]) {
    const row = listed.find((r) => r.id === report.runId);
    expect(row?.verdict).toBe(report.verdict);
    expect(figures(row as NonNullable<typeof row>)).toEqual(figures(report.measurements));
    // the API's copy of the report is the report, objectives included
    const detail = (await api('GET', `/api/v1/runs/${report.runId}`)).json;
    expect(detail.report.measurements).toEqual(report.measurements);
    expect(detail.report.objectives).toEqual(report.objectives);
  }
  expect(listed.find((r) => r.id === cliReport.runId)?.trigger).toBeNull();
  expect(listed.find((r) => r.id === daemonRunId)?.trigger).toBe('api');
  await daemon.stop();
}

describe('one history', () => {
  it('lists a CLI run and a daemon run from the same tables, with the figures of their JSON reports', async () => {
    await cliAndDaemonRuns();
  });

  it.skipIf(!postgresAvailable())(
    'on PostgreSQL too: faultline run --store postgres://... and faultline serve --store the same',
    async () => {
      const server = await startPostgres();
      try {
        await cliAndDaemonRuns(await server.createDatabase('one_history'));
      } finally {
        await server.stop();
      }
    },
  );

  it('a store made before the figures moved into the runs table gets them from its reports when opened', async () => {
    const file = join(tempDir(), 'runs.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE runs (id TEXT PRIMARY KEY, experiment TEXT NOT NULL, file TEXT, verdict TEXT, reason TEXT,
      started_at TEXT NOT NULL, ended_at TEXT, seed INTEGER NOT NULL, report TEXT)`);
    const measurements = { mttdMs: 300, mttrMs: 1200, availability: 0.75 };
    old
      .prepare('INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(
        'old-cli-run',
        'exp',
        null,
        'passed',
        'ok',
        '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:00:01.000Z',
        1,
        JSON.stringify({ runId: 'old-cli-run', measurements }),
      );
    old.close();
    const store = await openDaemonStore(`sqlite:${file}`);
    try {
      expect(figures((await store.getRun('old-cli-run')) as NonNullable<Awaited<ReturnType<typeof store.getRun>>>)).toEqual(measurements);
    } finally {
      await store.close();
    }
  });
});
