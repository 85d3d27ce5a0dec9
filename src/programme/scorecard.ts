/**
 * The scorecard: what a team's runs over a period say, per experiment and for the whole programme
 * (definitions: docs/objectives-and-scorecards.md). It is built from the stored JSON reports only, so
 * its numbers are the reports' numbers; `--format json` keys are public: extend, never rename.
 *
 * - passRate: passed / judged runs, judged = passed, failed or aborted (an `error` run could not test
 *   the hypothesis, an `interrupted` one was stopped by a person: both are counted in `runs`, not judged);
 * - mttdMs, mttrMs: nearest-rank p50 and p90 over the runs that measured them, with n;
 * - objectivesMet: share of the runs with objectives in which every objective was met (unknown is not met);
 * - trend: the same figures over the previous period of the same length;
 * - resilienceScore: 100 x the mean pass rate of the experiments judged in the period (each experiment
 *   weighs the same, however often it ran); null when none was judged.
 */
import { percentile } from '../measure/percentile.js';
import type { ObjectiveStatus, RunReport, Verdict } from '../report/types.js';

export const SCORECARD_SCHEMA_VERSION = 1;

const JUDGED: readonly Verdict[] = ['passed', 'failed', 'aborted'];

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  /** runs that measured the figure */
  n: number;
}

export interface ExperimentTrend {
  /** runs in the previous period of the same length */
  previousRuns: number;
  previousPassRate: number | null;
  /** passRate - previousPassRate; null when either is unknown */
  passRateChange: number | null;
  previousMttdMs: Percentiles;
  previousMttrMs: Percentiles;
}

export interface ExperimentScore {
  name: string;
  /** finished runs in the period */
  runs: number;
  /** runs whose verdict judged the hypothesis: passed, failed, aborted */
  judged: number;
  passed: number;
  /** passed / judged; null when no run was judged */
  passRate: number | null;
  lastVerdict: Verdict | null;
  lastRunId: string | null;
  lastRunAt: string | null;
  mttdMs: Percentiles;
  mttrMs: Percentiles;
  /** share of the runs with objectives in which every objective was met; null when no run had objectives */
  objectivesMet: number | null;
  /** per objective: how many runs met, missed, or could not measure it */
  objectives: Record<string, Record<ObjectiveStatus, number>>;
  trend: ExperimentTrend;
}

export interface CoverageCell {
  family: string;
  target: string;
  /** runs in the period in which a fault of this family was injected into this target */
  runs: number;
}

export interface Coverage {
  /** fault families (`network`, `process`, ...) injected in the period */
  families: string[];
  /** targets a fault was injected into */
  targets: string[];
  cells: CoverageCell[];
}

export interface Scorecard {
  schemaVersion: number;
  generatedAt: string;
  period: { since: string; until: string };
  previousPeriod: { since: string; until: string };
  /** finished runs in the period, every experiment together */
  runs: number;
  experiments: ExperimentScore[];
  /** experiments asked for (a programme, --experiment) that did not run in the period */
  notRun: string[];
  coverage: Coverage;
  /** 0 to 100; null when no experiment was judged in the period */
  resilienceScore: number | null;
}

export interface ScorecardOptions {
  /** epoch ms, inclusive */
  since: number;
  /** epoch ms, exclusive */
  until: number;
  /** only these experiments (a programme's, or --experiment); every experiment that ran when absent */
  experiments?: readonly string[];
}

function percentiles(values: readonly number[]): Percentiles {
  return { p50: percentile(values, 50), p90: percentile(values, 90), n: values.length };
}

const figures = (reports: readonly RunReport[], pick: (r: RunReport) => number | null | undefined) =>
  reports.map(pick).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

function passRateOf(reports: readonly RunReport[]): { judged: number; passed: number; passRate: number | null } {
  const judged = reports.filter((r) => JUDGED.includes(r.verdict)).length;
  const passed = reports.filter((r) => r.verdict === 'passed').length;
  return { judged, passed, passRate: judged === 0 ? null : passed / judged };
}

function objectiveCounts(reports: readonly RunReport[]): Pick<ExperimentScore, 'objectivesMet' | 'objectives'> {
  const withObjectives = reports.filter((r) => r.objectives && r.objectives.length > 0);
  const counts: Record<string, Record<ObjectiveStatus, number>> = {};
  for (const r of withObjectives) {
    for (const o of r.objectives ?? []) {
      counts[o.name] ??= { met: 0, missed: 0, unknown: 0 };
      (counts[o.name] as Record<ObjectiveStatus, number>)[o.status]++;
    }
  }
  const allMet = withObjectives.filter((r) => (r.objectives ?? []).every((o) => o.status === 'met')).length;
  return { objectivesMet: withObjectives.length === 0 ? null : allMet / withObjectives.length, objectives: counts };
}

function scoreExperiment(name: string, current: readonly RunReport[], previous: readonly RunReport[]): ExperimentScore {
  const sorted = [...current].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const last = sorted.at(-1);
  const now = passRateOf(current);
  const before = passRateOf(previous);
  return {
    name,
    runs: current.length,
    ...now,
    lastVerdict: last?.verdict ?? null,
    lastRunId: last?.runId ?? null,
    lastRunAt: last?.startedAt ?? null,
    mttdMs: percentiles(figures(current, (r) => r.measurements.mttdMs)),
    mttrMs: percentiles(figures(current, (r) => r.measurements.mttrMs)),
    ...objectiveCounts(current),
    trend: {
      previousRuns: previous.length,
      previousPassRate: before.passRate,
      passRateChange: now.passRate === null || before.passRate === null ? null : now.passRate - before.passRate,
      previousMttdMs: percentiles(figures(previous, (r) => r.measurements.mttdMs)),
      previousMttrMs: percentiles(figures(previous, (r) => r.measurements.mttrMs)),
    },
  };
}

/** `worker (pid 42)` and `worker (pid 43)` are the same target: the name before the instance detail. */
function targetName(instance: string): string {
  return instance.replace(/\s*\(.*\)$/, '');
}

function coverageOf(reports: readonly RunReport[]): Coverage {
  const runsByCell = new Map<string, Set<string>>();
  for (const r of reports) {
    for (const f of r.faults) {
      if (f.injectedAt === null) continue;
      const key = `${f.fault.split('.')[0]}\u0000${targetName(f.target)}`;
      runsByCell.set(key, (runsByCell.get(key) ?? new Set()).add(r.runId));
    }
  }
  const cells = [...runsByCell.entries()]
    .map(([key, runs]) => {
      const [family, target] = key.split('\u0000') as [string, string];
      return { family, target, runs: runs.size };
    })
    .sort((a, b) => a.family.localeCompare(b.family) || a.target.localeCompare(b.target));
  return {
    families: [...new Set(cells.map((c) => c.family))].sort(),
    targets: [...new Set(cells.map((c) => c.target))].sort(),
    cells,
  };
}

function groupByExperiment(reports: readonly RunReport[]): Map<string, RunReport[]> {
  const groups = new Map<string, RunReport[]>();
  for (const r of reports) groups.set(r.experiment.name, [...(groups.get(r.experiment.name) ?? []), r]);
  return groups;
}

/** The scorecard of the finished runs' reports (any period; those outside both periods are ignored). */
export function buildScorecard(reports: readonly RunReport[], options: ScorecardOptions, now = Date.now()): Scorecard {
  const length = options.until - options.since;
  const previousSince = options.since - length;
  const wanted = options.experiments ? new Set(options.experiments) : undefined;
  const startOf = (r: RunReport) => Date.parse(r.startedAt);
  const chosen = reports.filter((r) => wanted === undefined || wanted.has(r.experiment.name));
  const current = groupByExperiment(chosen.filter((r) => startOf(r) >= options.since && startOf(r) < options.until));
  const previous = groupByExperiment(chosen.filter((r) => startOf(r) >= previousSince && startOf(r) < options.since));
  const names = [...current.keys()].sort();
  const experiments = names.map((name) => scoreExperiment(name, current.get(name) ?? [], previous.get(name) ?? []));
  const rates = experiments.map((e) => e.passRate).filter((v): v is number => v !== null);
  const iso = (t: number) => new Date(t).toISOString();
  return {
    schemaVersion: SCORECARD_SCHEMA_VERSION,
    generatedAt: iso(now),
    period: { since: iso(options.since), until: iso(options.until) },
    previousPeriod: { since: iso(previousSince), until: iso(options.since) },
    runs: experiments.reduce((sum, e) => sum + e.runs, 0),
    experiments,
    notRun: (options.experiments ?? []).filter((name) => !current.has(name)),
    coverage: coverageOf([...current.values()].flat()),
    resilienceScore: rates.length === 0 ? null : Math.round(((100 * rates.reduce((a, b) => a + b, 0)) / rates.length) * 10) / 10,
  };
}
