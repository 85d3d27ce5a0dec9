/**
 * `faultline demo`: starts the demo system on free loopback ports, runs every demo experiment with
 * progress, prints a summary table, writes reports to ./faultline-reports/, stops what it started,
 * and exits 0 when every verdict is the one the experiment's annotation expects.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '@commander-js/extra-typings';
import { RunObservers } from '../../observe/session.js';
import { loadExperiments } from '../../spec/load.js';
import { EXIT, UserError } from '../../util/errors.js';
import { formatDuration, formatMttr, formatPercent } from '../../util/format.js';
import { freePort } from '../../util/ports.js';
import { color, say, table, verdictText, warn } from '../output.js';
import { writeReportFiles } from '../report-files.js';
import { notifyFinished, notifyOption, runSeries, type SeriesResult } from '../run-series.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const EXPECTED = 'faultline.dev/demo-expected-verdict';

/** Starts the supervisor and waits for its `ready` line. */
function startDemoSystem(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(EXAMPLES, 'demo', 'supervisor.mjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('did not become ready within 20s'), 20_000);
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

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start the demo system on loopback, run the demo experiments, print a summary, stop everything')
    .option('--report-dir <dir>', 'where reports go', 'faultline-reports')
    .option('--no-progress', 'no live progress on the terminal')
    .addOption(notifyOption())
    .action(async (options) => {
      const observers = await RunObservers.start({ notify: options.notify });
      const stateDir = mkdtempSync(join(tmpdir(), 'faultline-demo-'));
      const [gateway, a, b, tenant] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
      const demoEnv = {
        DEMO_STATE_DIR: stateDir,
        DEMO_GATEWAY_PORT: String(gateway),
        DEMO_PROVIDER_A_PORT: String(a),
        DEMO_PROVIDER_B_PORT: String(b),
        DEMO_TENANT_PORT: String(tenant),
        DEMO_RESTART_DELAY_MS: '1500',
      };
      const env = { ...process.env, ...demoEnv };
      const dir = join(EXAMPLES, 'experiments');
      const files = readdirSync(dir)
        .filter((f) => f.endsWith('.yaml') && f !== 'faultline.yaml')
        .sort();
      const experiments = files.flatMap((f) => loadExperiments(join(dir, f), { env }));
      for (const line of observers.check(experiments)) warn(`faultline: ${line}`);
      say(`${color.bold('faultline demo')}: gateway :${gateway}, providers :${a} :${b}, tenant API :${tenant} (state ${stateDir})`);
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
        rmSync(stateDir, { recursive: true, force: true });
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
    });
}
