/** `faultline run FILE...`: runs every experiment of the files in order and reports each. */
import { type Command, Option } from '@commander-js/extra-typings';
import type { Experiment } from '../../spec/load.js';
import { formatDuration, parseDuration } from '../../util/duration.js';
import { EXIT, UserError } from '../../util/errors.js';
import { inputName } from '../../util/input-file.js';
import { specLoader } from '../lazy.js';
import { notifyOption, storeOption } from '../options.js';
import { color, say, warn } from '../output.js';
import type { SeriesResult } from '../run-series.js';

/** The exit code of several runs: the most severe one. */
const SEVERITY: number[] = [EXIT.passed, EXIT.failed, EXIT.aborted, EXIT.error, EXIT.interrupted];
export function worstExit(codes: number[]): number {
  return codes.reduce((worst, code) => (SEVERITY.indexOf(code) > SEVERITY.indexOf(worst) ? code : worst), EXIT.passed);
}

function parseLinger(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new UserError(`--metrics-linger ${text}: expected a duration such as 30s (0s: do not wait)`);
  return ms;
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new UserError(`--seed ${text}: expected a whole number from 0 to 4294967295`);
  return seed;
}

export async function printDryRun(experiment: Experiment, seed: number): Promise<boolean> {
  const { dryRun } = await import('../../engine/dry-run.js');
  const result = await dryRun(experiment, seed);
  say(`${color.bold(experiment.name)} (dry run, seed ${seed}): nothing will be changed`);
  say(`  hypothesis: ${experiment.hypothesis}`);
  for (const planned of result.plan) {
    const held = planned.step.durationMs === null ? 'until the method ends' : formatDuration(planned.step.durationMs);
    const value = planned.step.value === undefined ? '' : ` ${planned.step.value}`;
    say(
      `  ${planned.path} ${planned.step.name}: ${planned.fault.name}, mode ${planned.step.mode}${value}, ${planned.selected.length} of ${planned.candidates.length} candidate(s), held ${held}`,
    );
    for (const action of planned.actions) say(`    - ${action}`);
  }
  for (const g of result.guards)
    say(`  guard ${g.guard}: ${g.ok ? (g.warning ? color.yellow('warning') : color.green('pass')) : color.red('REFUSE')} (${g.detail})`);
  for (const condition of result.stopConditions) say(`  stop condition while faults are active: ${condition}`);
  if (!result.stopConditions.length) say('  no stop condition watches this experiment');
  const refused = result.guards.filter((g) => !g.ok);
  say(refused.length ? `  a real run would be refused: ${refused.map((g) => g.guard).join(', ')}` : '  a real run would proceed');
  return refused.length === 0;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the experiments of one or more files; exit 0 passed, 1 failed, 2 aborted, 3 error, 130 interrupted')
    .argument('<files...>', 'experiment files; - reads standard input')
    .option('--report-dir <dir>', 'write a JSON, a Markdown and an HTML report per run into this folder')
    .option('--junit <file>', 'write a JUnit XML file of every run, for CI')
    .option('--dry-run', 'resolve targets and print exactly what would be injected, then exit without harm')
    .addOption(new Option('--seed <n>', 'seed of the random selection, to replay a run').argParser(parseSeed))
    .option(
      '--project <file>',
      'project file with shared targets, probes and policy (default: faultline.yaml beside the experiment file, else in the working directory)',
    )
    .option('--no-progress', 'no live progress on the terminal')
    .addOption(notifyOption())
    .addOption(storeOption())
    .option('--metrics-port <port>', 'serve Prometheus metrics on /metrics while the runs go: PORT (on 127.0.0.1) or HOST:PORT')
    .addOption(
      new Option('--metrics-linger <duration>', 'after the last run, keep /metrics up until it is scraped once more, at most this long')
        .default(30_000, '30s')
        .argParser(parseLinger),
    )
    .option(
      '--pushgateway <url>',
      "push each experiment's metrics to this Pushgateway when its run ends (job faultline, grouping experiment)",
    )
    .option('--alerts-port <port>', 'receive Alertmanager webhooks (POST /alerts) during the runs: PORT (on 127.0.0.1) or HOST:PORT')
    .action(async (files, options) => {
      const { loadExperiments } = await specLoader();
      const experiments = files.flatMap((file) => {
        const found = loadExperiments(file, { project: options.project });
        if (!found.length) throw new UserError(`${inputName(file)}: holds no Experiment document; nothing to run`);
        return found;
      });
      const { newSeed } = await import('../../engine/rng.js');
      if (options.dryRun) {
        // exit 0 whatever the guards say: a dry run reports, it does not judge
        for (const experiment of experiments) await printDryRun(experiment, options.seed ?? newSeed());
        return;
      }
      const { RunObservers } = await import('../../observe/session.js');
      const { Monitoring } = await import('../../observe/monitoring.js');
      const { notifyFinished, runSeries } = await import('../run-series.js');
      const { writeSeriesReports } = await import('../report-files.js');
      const observers = await RunObservers.start({ notify: options.notify });
      for (const line of observers.check(experiments)) warn(`faultline: ${line}`);
      const monitoring = await Monitoring.start({
        metricsPort: options.metricsPort,
        metricsLinger: options.metricsLinger,
        pushgateway: options.pushgateway,
        alertsPort: options.alertsPort,
      });
      for (const line of monitoring.lines) warn(`faultline: ${line}`);
      const { openRunRecording } = await import('../run-recording.js');
      const recording = await openRunRecording(options.store);
      let series: SeriesResult;
      try {
        series = await runSeries(experiments, {
          observers,
          monitoring,
          progress: options.progress,
          seed: options.seed,
          recorder: recording.recorder,
        });
      } finally {
        await recording.close();
        for (const line of await monitoring.close()) warn(`faultline: ${line}`);
      }
      const { results } = series;
      writeSeriesReports(results, options.reportDir, options.junit);
      await notifyFinished(observers, experiments, results, options.reportDir);
      process.exitCode = worstExit(results.map((r) => r.exitCode));
    });
}
