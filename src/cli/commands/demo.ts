/**
 * `faultline demo`: starts the demo system on free loopback ports, runs every demo experiment with
 * progress, prints a summary table, writes reports to ./faultline-reports/, stops what it started,
 * and exits 0 when every verdict is the one the experiment's annotation expects.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '@commander-js/extra-typings';
import type { RunObservers } from '../../observe/session.js';
import type { Programme } from '../../programme/programme.js';
import type { Experiment } from '../../spec/load.js';
import { EXIT, UserError } from '../../util/errors.js';
import { formatDuration, formatMttr, formatPercent } from '../../util/format.js';
import { freePort } from '../../util/ports.js';
import { didYouMean } from '../../util/suggest.js';
import { programmeLoader, specLoader } from '../lazy.js';
import { notifyOption } from '../options.js';
import { color, say, table, verdictText, warn } from '../output.js';
import type { SeriesResult } from '../run-series.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));
const EXPECTED = 'faultline.dev/demo-expected-verdict';

/** Starts the supervisor and waits for its `ready` line. */
function startDemoSystem(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(EXAMPLES, 'demo', 'supervisor.mjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('did not become ready within 40s'), 40_000);
    function fail(why: string) {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new UserError(`the demo system ${why}: ${log.trim().split('\n').slice(-3).join(' | ')}`));
    }
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

function stopDemoSystem(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** What a programme asks of the demo system (`faultline.dev/demo-services` on the programme): extra services and ports. */
const DEMO_SERVICES = [
  'validators',
  'provider-a-proxy',
  'tenant-proxy',
  'ledger',
  'signed-payments',
  'clock-wrap',
  'no-pagerduty',
] as const;
const SERVICES_ANNOTATION = 'faultline.dev/demo-services';

/** The environment of the demo system: its ports on loopback, its state folder, and the services a programme asks for. */
async function demoEnvironment(stateDir: string, services: readonly string[]): Promise<Record<string, string>> {
  const [gateway, a, b, tenant] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const env: Record<string, string> = {
    DEMO_STATE_DIR: stateDir,
    DEMO_GATEWAY_PORT: String(gateway),
    DEMO_PROVIDER_A_PORT: String(a),
    DEMO_PROVIDER_B_PORT: String(b),
    DEMO_TENANT_PORT: String(tenant),
    DEMO_RESTART_DELAY_MS: '1500',
  };
  if (services.includes('provider-a-proxy')) env.DEMO_PROVIDER_A_PROXY_PORT = String(await freePort());
  if (services.includes('tenant-proxy')) env.DEMO_TENANT_PROXY_PORT = String(await freePort());
  // no PagerDuty on a laptop: unless one is configured, the incidents guard asks a closed loopback port, cannot
  // judge, and (onUnreachable: warn) lets the demo go on with a warning
  if (services.includes('no-pagerduty') && !process.env.PAGERDUTY_TOKEN) {
    env.PAGERDUTY_TOKEN = 'demo-without-pagerduty';
    env.PAGERDUTY_API_URL = `http://127.0.0.1:${await freePort()}`;
  }
  if (services.includes('signed-payments')) env.DEMO_SIGNING_KEY = 'demo-signing-key';
  if (services.includes('clock-wrap') || services.includes('validators')) env.DEMO_CLOCK_WRAP = BIN;
  if (services.includes('ledger')) {
    env.DEMO_LEDGER_PORT = String(await freePort());
    env.DEMO_LEDGER_SYNC = '1';
  }
  if (services.includes('validators')) {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    env.DEMO_VALIDATOR_PORTS = ports.join(',');
    env.DEMO_VALIDATOR_1_PORT = String(ports[1]);
    env.DEMO_VALIDATOR_LINK_PORT = String(await freePort());
  }
  return env;
}

/** The library a demo run uses, loaded when it starts (not when the CLI starts). */
async function demoLibrary() {
  const { loadExperiments } = await specLoader();
  const { loadProgramme } = await programmeLoader();
  const { RunObservers } = await import('../../observe/session.js');
  const { notifyFinished, runSeries } = await import('../run-series.js');
  const { writeReportFiles } = await import('../report-files.js');
  return { loadProgramme, loadExperiments, RunObservers, notifyFinished, runSeries, writeReportFiles };
}
type DemoLibrary = Awaited<ReturnType<typeof demoLibrary>>;

/** The programme `name` of examples/programmes/, and the demo services it asks for. */
function demoProgramme(name: string, env: NodeJS.ProcessEnv, { loadProgramme }: DemoLibrary): { programme: Programme; services: string[] } {
  const dir = join(EXAMPLES, 'programmes');
  const names = readdirSync(dir).filter((f) => existsSync(join(dir, f, 'programme.yaml')));
  if (!names.includes(name))
    throw new UserError(`--programme ${name}: no such demo programme${didYouMean(name, names)}; choose one of ${names.join(', ')}`);
  const programme = loadProgramme(join(dir, name, 'programme.yaml'), { env });
  const services = (programme.annotations[SERVICES_ANNOTATION] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = services.filter((s) => !(DEMO_SERVICES as readonly string[]).includes(s));
  if (unknown.length)
    throw new UserError(
      `${programme.file}: ${SERVICES_ANNOTATION}: unknown service ${unknown.join(', ')}; known: ${DEMO_SERVICES.join(', ')}`,
    );
  return { programme, services };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start the demo system on loopback, run the demo experiments (or a programme), print a summary, stop everything')
    .option('--report-dir <dir>', 'where reports go', 'faultline-reports')
    .option(
      '--programme <name>',
      'run a ready programme of examples/programmes/ instead: validators, tenant-isolation, traced-services, ml-platform, knowledge-platform',
    )
    .option('--no-progress', 'no live progress on the terminal')
    .addOption(notifyOption())
    .action(async (options) => {
      const library = await demoLibrary();
      const observers = await library.RunObservers.start({ notify: options.notify });
      const stateDir = mkdtempSync(join(tmpdir(), 'faultline-demo-'));
      try {
        await runDemo(options, observers, stateDir, library);
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    });
}

interface DemoOptions {
  reportDir: string;
  programme?: string;
  progress: boolean;
}

async function runDemo(options: DemoOptions, observers: RunObservers, stateDir: string, library: DemoLibrary): Promise<void> {
  const { loadExperiments, notifyFinished, runSeries, writeReportFiles } = library;
  // the programme is read twice: first for the services it needs, then with their ports in the environment
  const services = options.programme
    ? demoProgramme(options.programme, { ...process.env, DEMO_STATE_DIR: stateDir }, library).services
    : [];
  const demoEnv = await demoEnvironment(stateDir, services);
  const env = { ...process.env, ...demoEnv };
  let experiments: Experiment[];
  if (options.programme) {
    experiments = demoProgramme(options.programme, env, library).programme.experiments.map((e) => e.experiment);
  } else {
    const dir = join(EXAMPLES, 'experiments');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') && f !== 'faultline.yaml')
      .sort();
    experiments = files.flatMap((f) => loadExperiments(join(dir, f), { env }));
  }
  for (const line of observers.check(experiments)) warn(`faultline: ${line}`);
  say(
    `${color.bold(options.programme ? `faultline demo --programme ${options.programme}` : 'faultline demo')}: gateway :${demoEnv.DEMO_GATEWAY_PORT}, providers :${demoEnv.DEMO_PROVIDER_A_PORT} :${demoEnv.DEMO_PROVIDER_B_PORT}, tenant API :${demoEnv.DEMO_TENANT_PORT}${services.length ? `, with ${services.join(', ')}` : ''} (state ${stateDir})`,
  );
  const system = await startDemoSystem(env);
  let series: SeriesResult;
  try {
    series = await runSeries(experiments, {
      observers,
      progress: options.progress,
      announce: (experiment) => say(`\n${color.bold(experiment.name)}: ${experiment.hypothesis}`),
    });
  } finally {
    await stopDemoSystem(system);
  }
  const { results, interrupted } = series;
  writeReportFiles(
    results.map((r) => r.report),
    options.reportDir,
    new Map(results.map((r) => [r.report.runId, r.samples])),
  );
  const rows = results.map(({ report }, i) => {
    const expected = experiments[i]?.annotations[EXPECTED];
    const m = report.measurements;
    const asExpected = report.verdict === (expected ?? 'passed');
    return {
      asExpected,
      cells: [
        report.experiment.name,
        verdictText(report.verdict),
        asExpected ? color.green('yes') : color.red(`no (expected ${expected ?? 'passed'})`),
        formatDuration(m.mttdMs),
        formatMttr(m),
        formatPercent(m.availability),
      ],
    };
  });
  say('');
  say(
    table(
      ['experiment', 'verdict', 'as expected', 'MTTD', 'MTTR', 'availability'],
      rows.map((r) => r.cells),
    ),
  );
  say(color.dim(`reports in ${options.reportDir}/`));
  await notifyFinished(observers, experiments, results, options.reportDir);
  const allAsExpected = rows.length === experiments.length && rows.every((r) => r.asExpected);
  if (!allAsExpected) warn('faultline demo: some verdicts were not the expected ones (see the table above)');
  process.exitCode = interrupted ? EXIT.interrupted : allAsExpected ? EXIT.passed : EXIT.failed;
}
