/**
 * `faultline programme validate|run|status FILE`: a programme's experiments checked, run once each in
 * order (stopping at the halt switch), or listed with when each last ran, its verdict and its objectives.
 */
import type { Command } from '@commander-js/extra-typings';
import { newSeed } from '../../engine/rng.js';
import type { Programme } from '../../programme/programme.js';
import { activeHalt, describeHalt } from '../../safety/halt.js';
import { formatDuration, formatMttr, formatPercent } from '../../util/format.js';
import { programmeLoader } from '../lazy.js';
import { notifyOption, storeOption } from '../options.js';
import { color, say, table, verdictText, warn } from '../output.js';
import { printDryRun, worstExit } from './run.js';

function describeProgramme(programme: Programme): string {
  return `${programme.name} (owner ${programme.owner}): ${programme.experiments.length} experiment(s): ${programme.experiments.map((e) => e.experiment.name).join(', ')}`;
}

export function registerProgramme(program: Command): void {
  const command = program.command('programme').description('a catalogue of experiments kept by a team: validate, run, status');
  const projectOption = '--project <file>';
  const projectHelp = 'project file with shared targets, probes and policy (default: faultline.yaml beside each experiment file)';

  command
    .command('validate')
    .description('check a programme and every experiment it names: exit 0 when valid, 3 otherwise')
    .argument('<file>', 'a file with a Programme document')
    .option(projectOption, projectHelp)
    .action(async (file, options) => {
      const { loadProgramme } = await programmeLoader();
      const programme = loadProgramme(file, { project: options.project });
      say(`${color.green('valid')} ${file}: programme ${describeProgramme(programme)}`);
    });

  command
    .command('run')
    .description('run every experiment of the programme once, in order; stops at the halt switch; exit as `faultline run`')
    .argument('<file>', 'a file with a Programme document')
    .option(projectOption, projectHelp)
    .option('--report-dir <dir>', 'write a JSON, a Markdown and an HTML report per run into this folder')
    .option('--junit <file>', 'write a JUnit XML file of every run, for CI')
    .option('--dry-run', 'print what each experiment would inject, then exit without harm')
    .option('--no-progress', 'no live progress on the terminal')
    .addOption(notifyOption())
    .addOption(storeOption())
    .option(
      '--pushgateway <url>',
      "push each experiment's metrics to this Pushgateway when its run ends (job faultline, grouping experiment)",
    )
    .action(async (file, options) => {
      const { loadProgramme } = await programmeLoader();
      const programme = loadProgramme(file, { project: options.project });
      const experiments = programme.experiments.map((e) => e.experiment);
      if (options.dryRun) {
        for (const experiment of experiments) await printDryRun(experiment, newSeed());
        return;
      }
      const { RunObservers } = await import('../../observe/session.js');
      const { Monitoring } = await import('../../observe/monitoring.js');
      const { openControlDb } = await import('../../safety/control-db.js');
      const { notifyFinished, runSeries } = await import('../run-series.js');
      const { writeSeriesReports } = await import('../report-files.js');
      const observers = await RunObservers.start({ notify: options.notify });
      for (const line of observers.check(experiments)) warn(`faultline: ${line}`);
      say(`${color.bold(`programme ${programme.name}`)} (owner ${programme.owner}): ${experiments.length} experiment(s)`);
      const control = openControlDb();
      const monitoring = await Monitoring.start({ pushgateway: options.pushgateway });
      const { openRunRecording } = await import('../run-recording.js');
      const recording = await openRunRecording(options.store);
      let series: Awaited<ReturnType<typeof runSeries>>;
      try {
        series = await runSeries(experiments, {
          observers,
          monitoring,
          recorder: recording.recorder,
          progress: options.progress,
          announce: (experiment) => say(`\n${color.bold(experiment.name)}: ${experiment.hypothesis}`),
          stopBefore: () => {
            const halted = activeHalt(control);
            return halted ? `the halt switch is on (${describeHalt(halted)})` : null;
          },
        });
      } finally {
        await recording.close();
        control.close();
        for (const line of await monitoring.close()) warn(`faultline: ${line}`);
      }
      const { results, interrupted } = series;
      writeSeriesReports(results, options.reportDir, options.junit);
      await notifyFinished(observers, experiments, results, options.reportDir);
      const notRun = experiments.length - results.length;
      say(
        `\nprogramme ${programme.name}: ${results.filter((r) => r.report.verdict === 'passed').length} of ${experiments.length} passed${notRun ? `, ${notRun} not run` : ''}`,
      );
      // experiments left out (halt) make the programme aborted, whatever the others did
      const codes = results.map((r) => r.exitCode);
      if (notRun && !interrupted) codes.push(2);
      if (interrupted) codes.push(130);
      process.exitCode = worstExit(codes);
    });

  command
    .command('status')
    .description('for each experiment of the programme: when it last ran, its verdict and numbers, its cadence')
    .argument('<file>', 'a file with a Programme document')
    .option(projectOption, projectHelp)
    .option('--json', 'print JSON')
    .action(async (file, options) => {
      const { loadProgramme } = await programmeLoader();
      const { RunStore } = await import('../../store/store.js');
      const programme = loadProgramme(file, { project: options.project });
      const store = new RunStore();
      try {
        const runs = store.listRuns(100_000);
        const rows = programme.experiments.map(({ experiment, cadence, schedule }) => {
          const last = runs.find((r) => r.experiment === experiment.name && r.verdict !== null);
          const report = last ? store.findReport(last.id) : undefined;
          const m = report && report !== 'ambiguous' ? report.measurements : undefined;
          const objectives = report && report !== 'ambiguous' ? (report.objectives ?? []) : [];
          return {
            experiment: experiment.name,
            cadence: cadence ?? (schedule ? `schedule ${schedule}` : null),
            lastRunId: last?.id ?? null,
            lastRunAt: last?.startedAt ?? null,
            verdict: last?.verdict ?? null,
            mttdMs: m?.mttdMs ?? null,
            mttrMs: m?.mttrMs ?? null,
            probeIntervalMs: m?.probeIntervalMs ?? null,
            availability: m?.availability ?? null,
            // met only when every objective was measured and held; unknown never counts as met
            objectivesHeld: objectives.length === 0 ? null : objectives.every((o) => o.status === 'met'),
            objectives: objectives.map((o) => ({ name: o.name, expected: o.expected, actual: o.actual, status: o.status })),
          };
        });
        if (options.json) {
          say(JSON.stringify({ programme: programme.name, owner: programme.owner, experiments: rows }, null, 2));
          return;
        }
        say(`${color.bold(`programme ${programme.name}`)} (owner ${programme.owner})`);
        say(
          table(
            ['experiment', 'cadence', 'last run', 'verdict', 'objectives', 'MTTD', 'MTTR', 'availability'],
            rows.map((r) => [
              r.experiment,
              r.cadence ?? '-',
              r.lastRunAt ? `${r.lastRunAt} (${r.lastRunId})` : 'never',
              r.verdict ? verdictText(r.verdict as 'passed') : '-',
              r.objectivesHeld === null
                ? '-'
                : r.objectivesHeld
                  ? 'held'
                  : `not held: ${r.objectives
                      .filter((o) => o.status !== 'met')
                      .map((o) => `${o.name} ${o.status}`)
                      .join(', ')}`,
              r.lastRunId ? formatDuration(r.mttdMs) : '-',
              r.lastRunId ? formatMttr(r) : '-',
              formatPercent(r.availability),
            ]),
          ),
        );
      } finally {
        store.close();
      }
    });
}
