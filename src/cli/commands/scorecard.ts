/** `faultline scorecard`: pass rates, MTTD/MTTR percentiles, objectives, trend, coverage and resilience score over a period. */
import { type Command, Option } from '@commander-js/extra-typings';
import type { ScorecardOptions } from '../../programme/scorecard.js';
import type { ScorecardFormat } from '../../programme/scorecard-render.js';
import { parseDuration } from '../../util/duration.js';
import { UserError } from '../../util/errors.js';
import { programmeLoader } from '../lazy.js';
import { say } from '../output.js';

/** `30d` back from `until`, or a date such as 2026-03-01. */
function parseSince(text: string, until: number): number {
  const ms = parseDuration(text);
  if (ms !== null) return until - ms;
  const t = Date.parse(text);
  if (Number.isFinite(t)) return t;
  throw new UserError(`--since ${text}: expected a duration such as 30d or a date such as 2026-03-01`);
}

function parseUntil(text: string | undefined): number {
  if (text === undefined) return Date.now();
  const t = Date.parse(text);
  if (!Number.isFinite(t))
    throw new UserError(`--until ${text}: expected a date such as 2026-04-01 or a time such as 2026-04-01T00:00:00Z`);
  return t;
}

export function registerScorecard(program: Command): void {
  program
    .command('scorecard')
    .description('pass rate, MTTD and MTTR percentiles, objectives met, trend, coverage and resilience score of the stored runs')
    .option('--since <when>', 'start of the period: a duration back from --until (30d) or a date', '30d')
    .option('--until <date>', 'end of the period (default: now)')
    .option('--experiment <name...>', 'only these experiments (default: every experiment that ran)')
    .option('--programme <file>', 'only the experiments of this programme (a file with a Programme document)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'md', 'html'] as const)
        .default('table' as ScorecardFormat),
    )
    .option('--store <store>', 'where the runs are: sqlite (default, in FAULTLINE_HOME), sqlite:PATH or postgres://USER@HOST/DB')
    .action(async (options) => {
      const until = parseUntil(options.until);
      const since = parseSince(options.since, until);
      if (since >= until) throw new UserError(`--since ${options.since}: the period must start before it ends (--until)`);
      if (options.programme && options.experiment) throw new UserError('give --programme or --experiment, not both');
      const { loadProgramme } = await programmeLoader();
      const { buildScorecard } = await import('../../programme/scorecard.js');
      const { renderScorecard } = await import('../../programme/scorecard-render.js');
      const { scorecardReports } = await import('../../programme/scorecard-runs.js');
      const { openDaemonStore } = await import('../../store/open.js');
      const experiments = options.programme
        ? loadProgramme(options.programme).experiments.map((e) => e.experiment.name)
        : options.experiment;
      const scorecardOptions: ScorecardOptions = { since, until, ...(experiments ? { experiments } : {}) };
      const store = await openDaemonStore(options.store ?? process.env.FAULTLINE_STORE ?? 'sqlite');
      try {
        const reports = await scorecardReports(store, scorecardOptions);
        say(renderScorecard(buildScorecard(reports, scorecardOptions), options.format as ScorecardFormat).trimEnd());
      } finally {
        await store.close();
      }
    });
}
