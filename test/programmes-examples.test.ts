/**
 * The five ready programmes of examples/programmes/ run end to end on the demo system (started once with every
 * service they need: the validator network, the provider and tenant proxies, the ledger), each with short
 * durations: every verdict is the one its experiment expects, the notifications, the incidents guard and the
 * Pushgateway are real or speak the real wire format, and each programme's scorecard agrees with its runs'
 * JSON reports. Then `faultline demo --programme` starts and stops the demo system by itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProcesses } from '../src/util/processes.js';
import { BIN, ROOT, runCli, tempDir, tempHome } from './support/cli.js';
import { type FakePagerDuty, startFakePagerDuty } from './support/fake-pagerduty.js';
import { type FakePagerDutyEvents, startFakePagerDutyEvents } from './support/fake-pagerduty-events.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { freePort, waitFor } from './support/processes.js';
import { type Daemon, startPushgateway } from './support/prometheus.js';

const PROGRAMMES = join(ROOT, 'examples', 'programmes');
const EXPECTED = 'faultline.dev/demo-expected-verdict';

interface Report {
  runId: string;
  verdict: string;
  experiment: { name: string; file: string };
  measurements: { mttdMs: number | null; mttrMs: number | null };
  objectives?: { name: string; status: string }[];
}

/** The verdict each experiment of a programme folder expects (its annotation, else passed). */
function expectedVerdicts(programme: string): Record<string, string> {
  const expected: Record<string, string> = {};
  for (const file of readdirSync(join(PROGRAMMES, programme)).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(join(PROGRAMMES, programme, file), 'utf8');
    const name = /^kind: Experiment[\s\S]*?name: ([a-z0-9-]+)/m.exec(text)?.[1];
    if (name) expected[name] = new RegExp(`${EXPECTED}: (\\w+)`).exec(text)?.[1] ?? 'passed';
  }
  return expected;
}

function readReports(dir: string): Report[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Report);
}

describe('the five programmes on the demo system', () => {
  const home = tempHome();
  const stateDir = mkdtempSync(join(tmpdir(), 'faultline-programmes-'));
  let supervisor: ChildProcess | undefined;
  let env: Record<string, string> = {};
  let log = '';
  let slack: FakeSlack;
  let pagerDutyEvents: FakePagerDutyEvents;
  let pagerDuty: FakePagerDuty;
  let pushgateway: Daemon;

  beforeAll(async () => {
    [slack, pagerDutyEvents, pagerDuty, pushgateway] = await Promise.all([
      startFakeSlack(),
      startFakePagerDutyEvents(),
      startFakePagerDuty(),
      startPushgateway(),
    ]);
    const ports: number[] = [];
    for (let i = 0; i < 12; i++) ports.push(await freePort());
    const [gateway, a, b, tenant, aProxy, tenantProxy, ledger, link, ...validators] = ports.map(String);
    env = {
      DEMO_STATE_DIR: stateDir,
      DEMO_GATEWAY_PORT: gateway as string,
      DEMO_PROVIDER_A_PORT: a as string,
      DEMO_PROVIDER_B_PORT: b as string,
      DEMO_TENANT_PORT: tenant as string,
      DEMO_PROVIDER_A_PROXY_PORT: aProxy as string,
      DEMO_TENANT_PROXY_PORT: tenantProxy as string,
      DEMO_LEDGER_PORT: ledger as string,
      DEMO_LEDGER_SYNC: '1',
      DEMO_VALIDATOR_PORTS: validators.join(','),
      DEMO_VALIDATOR_1_PORT: validators[1] as string,
      DEMO_VALIDATOR_LINK_PORT: link as string,
      DEMO_CLOCK_WRAP: BIN,
      DEMO_RESTART_DELAY_MS: '1000',
      SLACK_WEBHOOK_URL: slack.webhookUrl,
      PAGERDUTY_ROUTING_KEY: pagerDutyEvents.routingKey,
      PAGERDUTY_EVENTS_URL: pagerDutyEvents.enqueueUrl,
      PAGERDUTY_TOKEN: pagerDuty.token,
      PAGERDUTY_API_URL: pagerDuty.url,
    };
    const child = spawn(process.execPath, [join(ROOT, 'examples', 'demo', 'supervisor.mjs')], {
      env: { ...process.env, ...env, FAULTLINE_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    supervisor = child;
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-5000)));
    await waitFor(() => out.includes('ready'), 60_000, 'the demo system to be ready');
  }, 90_000);

  afterAll(async () => {
    if (supervisor && supervisor.exitCode === null) {
      supervisor.kill('SIGTERM');
      await new Promise((resolve) => supervisor?.once('exit', resolve));
    }
    await waitFor(() => listProcesses().every((p) => !p.command.includes(stateDir)), 10_000, 'the demo to stop').catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
    await Promise.all([slack?.close(), pagerDutyEvents?.close(), pagerDuty?.close()]);
    if (pushgateway) process.kill(pushgateway.pid, 'SIGTERM');
  }, 30_000);

  /** Runs the programme; every verdict must be the expected one; returns its reports. */
  async function runProgramme(name: string, extra: string[] = []): Promise<{ reports: Report[]; stdout: string; stderr: string }> {
    const dir = tempDir(`faultline-${name}-`);
    const result = await runCli(
      ['programme', 'run', join(PROGRAMMES, name, 'programme.yaml'), '--report-dir', dir, '--no-progress', ...extra],
      { home, env },
    );
    const reports = readReports(dir);
    const expected = expectedVerdicts(name);
    const context = `${result.stdout}${result.stderr}\n--- demo log ---\n${log}`;
    expect(reports.map((r) => [r.experiment.name, r.verdict]).sort(), context).toEqual(
      Object.entries(expected)
        .filter(([experiment]) => reports.some((r) => r.experiment.name === experiment))
        .sort(),
    );
    expect(reports.length, context).toBe(Object.keys(expected).length);
    const failures = Object.values(expected).filter((v) => v !== 'passed').length;
    expect(result.code, context).toBe(failures ? 1 : 0);
    return { reports, stdout: result.stdout, stderr: result.stderr };
  }

  /** The scorecard of the programme agrees with its runs' reports. */
  async function checkScorecard(name: string, reports: Report[]) {
    const result = await runCli(['scorecard', '--programme', join(PROGRAMMES, name, 'programme.yaml'), '--format', 'json'], { home, env });
    expect(result.code, result.stderr).toBe(0);
    const card = JSON.parse(result.stdout) as {
      experiments: { name: string; runs: number; passRate: number | null; mttdMs: { n: number } }[];
    };
    expect(card.experiments.map((e) => e.name).sort()).toEqual(reports.map((r) => r.experiment.name).sort());
    for (const score of card.experiments) {
      const own = reports.filter((r) => r.experiment.name === score.name);
      expect(score.runs).toBe(own.length);
      expect(score.passRate).toBe(own.filter((r) => r.verdict === 'passed').length / own.length);
      expect(score.mttdMs.n).toBe(own.filter((r) => r.measurements.mttdMs !== null).length);
    }
  }

  it('validators: network faults, kill and pause, stress, clock skew and byzantine votes; finality holds', async () => {
    const { reports } = await runProgramme('validators');
    expect(reports).toHaveLength(5);
    // the programme's objectives were judged on every run
    for (const report of reports) expect(report.objectives?.map((o) => o.name).sort()).toEqual(['mttd', 'mttr']);
    await checkScorecard('validators', reports);
  }, 150_000);

  it('tenant-isolation: isolation holds under disturbance, the fallback answers; Slack hears of every run', async () => {
    const before = slack.messages.length;
    const { reports } = await runProgramme('tenant-isolation');
    expect(slack.messages.length - before).toBe(reports.length);
    expect(pagerDutyEvents.events).toEqual([]); // PagerDuty pages for failures only, and nothing failed
    await checkScorecard('tenant-isolation', reports);
  }, 150_000);

  it('traced-services: latency, partition, crash and pressure on the chain', async () => {
    const { reports } = await runProgramme('traced-services');
    expect(reports.every((r) => r.objectives?.some((o) => o.name === 'availability' && o.status === 'met'))).toBe(true);
    await checkScorecard('traced-services', reports);
  }, 150_000);

  it('ml-platform: the incidents guard asks PagerDuty; progressive replica loss breaks at 60%', async () => {
    const { reports } = await runProgramme('ml-platform');
    expect(pagerDuty.requests.filter((r) => r.path === '/incidents').length).toBeGreaterThanOrEqual(reports.length);
    await checkScorecard('ml-platform', reports);
  }, 150_000);

  it('knowledge-platform: a dry run first, then the drill against RTO, RPO and lost writes, metrics to the Pushgateway', async () => {
    const file = join(PROGRAMMES, 'knowledge-platform', 'programme.yaml');
    const dry = await runCli(['programme', 'run', file, '--dry-run'], { home, env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.match(/\(dry run, seed \d+\): nothing will be changed/g)).toHaveLength(5);
    expect(dry.stdout).not.toMatch(/tenant-api/); // protected: never a candidate

    const { reports } = await runProgramme('knowledge-platform', ['--pushgateway', pushgateway.url]);
    const drill = reports.find((r) => r.experiment.name === 'region-failover-keeps-acknowledged-writes');
    expect(Object.fromEntries((drill?.objectives ?? []).map((o) => [o.name, o.status]))).toMatchObject({
      rto: 'met',
      rpo: 'met',
      lostWrites: 'met',
    });
    const metrics = await (await fetch(`${pushgateway.url}/metrics`)).text();
    expect(metrics).toMatch(/experiment="region-failover-keeps-acknowledged-writes"/);
    await checkScorecard('knowledge-platform', reports);
  }, 150_000);
});

describe('faultline demo --programme', () => {
  it('starts the demo system with what the programme needs, runs it, stops everything', async () => {
    const home = tempHome();
    const dir = tempDir('faultline-demo-programme-');
    const result = await runCli(['demo', '--programme', 'tenant-isolation', '--report-dir', dir, '--no-progress', '--notify', 'none'], {
      home,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/faultline demo --programme tenant-isolation: .* with tenant-proxy/);
    const state = /\(state (\S+)\)/.exec(result.stdout)?.[1] as string;
    expect(readReports(dir)).toHaveLength(3);
    expect(listProcesses().filter((p) => p.command.includes(state))).toEqual([]);

    const unknown = await runCli(['demo', '--programme', 'validator'], { home });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr.trim()).toMatch(
      /^faultline: --programme validator: no such demo programme \(did you mean "validators"\?\); choose one of /,
    );
  }, 150_000);
});
