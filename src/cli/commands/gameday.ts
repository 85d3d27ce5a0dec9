/**
 * `faultline gameday run FILE` (stages, approvals, announcements), `list`, `report ID`, and the findings
 * and action items people add afterwards: `finding ID TEXT`, `action ID TEXT --owner NAME`.
 */
import { writeFileSync } from 'node:fs';
import { type Command, Option } from '@commander-js/extra-typings';
import type { GameDayReportFormat } from '../../programme/gameday-report.js';
import { operator } from '../../safety/halt.js';
import type { GameDayStatus } from '../../store/gameday-store.js';
import { parseDuration } from '../../util/duration.js';
import { EXIT, UserError } from '../../util/errors.js';
import { specLoader } from '../lazy.js';
import { notifyOption, storeOption } from '../options.js';
import { color, say, table, warn } from '../output.js';

/** The game-day store and reports, loaded when a game-day command runs. */
const gameDayState = () => import('../gameday-state.js');

const EXIT_BY_STATUS: Record<GameDayStatus, number> = {
  passed: EXIT.passed,
  failed: EXIT.failed,
  aborted: EXIT.aborted,
  error: EXIT.error,
  interrupted: EXIT.interrupted,
  running: EXIT.error,
  waiting: EXIT.error,
};

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

function parsePoll(text: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms < 50 || ms > 60_000) throw new UserError(`--poll ${text}: expected a duration from 50ms to 1m, such as 1s`);
  return ms;
}

function registerRunCommand(command: Command): void {
  command
    .command('run')
    .description('run a game day: announce it, then each stage (waiting for its approval when it has one); exit as `faultline run`')
    .argument('<file>', 'a file with a GameDay document')
    .option('--resume <id>', 'resume an interrupted game-day run: the stages it finished are not run again')
    .option('--project <file>', 'project file with shared targets, probes and policy (default: faultline.yaml beside each experiment file)')
    .addOption(storeOption())
    .option('--report-dir <dir>', "write each run's reports and the game-day report (JSON, Markdown, HTML) into this folder")
    .option('--no-progress', 'no live progress on the terminal')
    .addOption(notifyOption())
    .addOption(new Option('--poll <duration>', 'how often an approval is checked').default(1000, '1s').argParser(parsePoll))
    .action(async (file, options) => {
      await specLoader();
      const { loadGameDay } = await import('../../programme/gameday.js');
      const { GAMEDAY_REPORT_FORMATS, renderGameDayReport } = await import('../../programme/gameday-report.js');
      const { runGameDay } = await import('../../programme/gameday-runner.js');
      const { RunObservers } = await import('../../observe/session.js');
      const { openControlDb } = await import('../../safety/control-db.js');
      const { notifyFinished, runObserved, withInterruptSignal } = await import('../run-series.js');
      const { writeSeriesReports } = await import('../report-files.js');
      const { findGameDay, gameDayReport, withGameDayStore } = await gameDayState();
      const gameDay = loadGameDay(file, { project: options.project });
      const experiments = gameDay.stages.flatMap((s) => s.experiments.map((e) => e.experiment));
      const observers = await RunObservers.start({ notify: options.notify });
      for (const line of observers.check(experiments)) warn(`faultline: ${line}`);
      const control = openControlDb();
      const { openRunRecording } = await import('../run-recording.js');
      const recording = await openRunRecording(options.store); // its runs beside it: its report finds them
      try {
        await withGameDayStore(options.store, async (store) => {
          const outcome = await withInterruptSignal((signal) =>
            runGameDay(gameDay, {
              store,
              control,
              resume: options.resume,
              signal,
              pollMs: options.poll,
              runExperiment: (experiment, runSignal) => {
                say(`\n${color.bold(experiment.name)}: ${experiment.hypothesis}`);
                return runObserved(experiment, { observers, progress: options.progress, recorder: recording.recorder }, runSignal);
              },
              announce: async (announcement, all) => {
                for (const o of await observers.announce(all, announcement))
                  (o.ok ? say : warn)(o.ok ? color.dim(o.line) : `faultline: ${o.line}`);
              },
              log: (line) => say(color.bold(line)),
            }),
          );
          const { results } = outcome;
          writeSeriesReports(results, options.reportDir, undefined);
          await notifyFinished(
            observers,
            results.map(
              (r) => experiments.find((e) => e.name === r.report.experiment.name) ?? (experiments[0] as (typeof experiments)[number]),
            ),
            results,
            options.reportDir,
          );
          if (options.reportDir) {
            const record = await findGameDay(store, outcome.id);
            const report = await gameDayReport(options.store, store, record);
            for (const format of GAMEDAY_REPORT_FORMATS) {
              writeFileSync(`${options.reportDir}/gameday-${outcome.id}.${format}`, renderGameDayReport(report, format));
            }
          }
          say(`\ngame day ${gameDay.name} (${outcome.id}): ${outcome.status.toUpperCase()}: ${outcome.reason}`);
          if (outcome.status !== 'passed' && outcome.status !== 'failed')
            say(`resume it with: faultline gameday run ${file} --resume ${outcome.id}`);
          process.exitCode = EXIT_BY_STATUS[outcome.status];
        });
      } finally {
        await recording.close();
        control.close();
      }
    });
}

function registerNoteCommands(command: Command): void {
  command
    .command('finding')
    .description('record a finding of a game-day run (stored, audited, shown in its report)')
    .argument('<id>', 'the game-day run id')
    .argument('<text>', 'what was found')
    .addOption(new Option('--severity <level>', 'how much it matters').choices(SEVERITIES).default('medium' as const))
    .addOption(storeOption())
    .action(async (id, text, options) => {
      if (!text.trim()) throw new UserError('the finding is empty; write what was found');
      const { auditCli, findGameDay, withGameDayStore } = await gameDayState();
      await withGameDayStore(options.store, async (store) => {
        const record = await findGameDay(store, id);
        const note = await store.addNote(
          record.id,
          { kind: 'finding', text: text.trim(), author: operator(), severity: options.severity },
          new Date().toISOString(),
        );
        await auditCli(options.store, { action: 'gameday.finding', resource: `gameday/${record.id}`, detail: text.trim().slice(0, 200) });
        say(`finding ${note.id} recorded on game day ${record.name} (${record.id})`);
      });
    });

  command
    .command('action')
    .description('record an action item of a game-day run, with its owner (stored, audited, shown in its report)')
    .argument('<id>', 'the game-day run id')
    .argument('<text>', 'what is to be done')
    .requiredOption('--owner <name>', 'who does it')
    .option('--due <date>', 'by when, as YYYY-MM-DD')
    .addOption(storeOption())
    .action(async (id, text, options) => {
      if (!text.trim()) throw new UserError('the action item is empty; write what is to be done');
      if (options.due !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.due))
        throw new UserError(`--due ${options.due}: expected a date as YYYY-MM-DD`);
      const { auditCli, findGameDay, withGameDayStore } = await gameDayState();
      await withGameDayStore(options.store, async (store) => {
        const record = await findGameDay(store, id);
        const note = await store.addNote(
          record.id,
          { kind: 'action', text: text.trim(), author: operator(), owner: options.owner, due: options.due ?? null },
          new Date().toISOString(),
        );
        await auditCli(options.store, {
          action: 'gameday.action',
          resource: `gameday/${record.id}`,
          detail: `${options.owner}: ${text.trim().slice(0, 200)}`,
        });
        say(`action item ${note.id} recorded on game day ${record.name} (${record.id}), owner ${options.owner}`);
      });
    });
}

export function registerGameDay(program: Command): void {
  const command = program.command('gameday').description('game days: stages of experiments, approvals, findings and action items');
  registerRunCommand(command);

  command
    .command('list')
    .description('the latest game-day runs')
    .addOption(storeOption())
    .action(async (options) => {
      const { withGameDayStore } = await gameDayState();
      await withGameDayStore(options.store, async (store) => {
        const records = await store.list(50);
        if (!records.length) return say('no game day has run yet');
        say(
          table(
            ['id', 'game day', 'status', 'started', 'stages done'],
            records.map((r) => [
              r.id,
              r.name,
              r.status,
              r.startedAt,
              `${r.stages.filter((s) => s.status === 'done').length} of ${r.stages.length}`,
            ]),
          ),
        );
      });
    });

  command
    .command('report')
    .description('the report of a game-day run: stages, verdicts and numbers, timeline, findings, action items')
    .argument('<id>', 'the game-day run id (or an unambiguous prefix)')
    .addOption(
      new Option('--format <format>', 'json, md or html').choices(['json', 'md', 'html'] as const).default('md' as GameDayReportFormat),
    )
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .addOption(storeOption())
    .action(async (id, options) => {
      const { findGameDay, gameDayReport, withGameDayStore } = await gameDayState();
      const { renderGameDayReport } = await import('../../programme/gameday-report.js');
      await withGameDayStore(options.store, async (store) => {
        const report = await gameDayReport(options.store, store, await findGameDay(store, id));
        const text = renderGameDayReport(report, options.format);
        if (options.output) writeFileSync(options.output, text);
        else process.stdout.write(text);
      });
    });

  registerNoteCommands(command);
}
