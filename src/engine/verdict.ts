/** The verdict of a run: how the run ended (`Outcome`), and the rules that judge the hypothesis at its end. */
import { type Coverage, MIN_COVERAGE } from '../measure/coverage.js';
import { describeMiss } from '../measure/objectives.js';
import type { ReportFault, ReportObjective, ReportProgressive, ReportTolerance, Verdict } from '../report/types.js';
import type { Experiment } from '../spec/load.js';
import { formatDuration } from '../util/duration.js';
import { formatToleranceActual } from '../util/format.js';
import { progressiveFailure } from './progressive.js';

/** How the run ended, decided by the first thing that ended it. */
export class Outcome {
  /** 'passed' until something decides otherwise: the hypothesis is judged last, only if nothing else ended the run */
  verdict: Verdict = 'passed';
  reason = '';
  /** replaces whatever ending came first: for what matters more than anything else (a fault left behind) */
  override(verdict: Verdict, reason: string): void {
    this.verdict = verdict;
    this.reason = reason;
  }
  /** keeps the first decisive ending; later ones (e.g. a failure after an abort) do not replace it */
  end(verdict: Verdict, reason: string): void {
    if (this.verdict !== 'passed') return;
    this.verdict = verdict;
    this.reason = reason;
  }
}

export interface Judged {
  tolerances: ReportTolerance[];
  mttrMs: number | null;
  /** steady-state samples taken while faults were active */
  duringSamples: number;
  injected: boolean;
  progressive: readonly ReportProgressive[];
  faults: readonly ReportFault[];
  /** the share of the chaos window each steady-state probe's samples cover */
  coverage?: readonly Coverage[];
  /** the probe intervals by name (a window shorter than two intervals is too short to judge coverage) */
  intervals?: ReadonlyMap<string, number>;
  /** `spec.objectives` judged after the run; a missed one fails a run that would have passed */
  objectives?: readonly ReportObjective[];
}

/**
 * The end of the run's verdict, once the method, recovery and end-of-test probes are over: a
 * progressive step that broke the steady state, then the hypothesis (when nothing ended the run
 * before), and last a fault left in place, which outweighs any other ending.
 */
export function settleVerdict(experiment: Experiment, outcome: Outcome, judged: Judged): void {
  const brokeAt = progressiveFailure(judged.progressive);
  if (outcome.verdict === 'passed' && brokeAt) outcome.end('failed', `progressive chaos: ${brokeAt}`);
  if (outcome.verdict === 'passed') {
    judge(experiment, outcome, judged);
    // a refuted hypothesis stands on the samples it has; a pass needs the whole window watched
    const thin = outcome.verdict === 'passed' && judged.injected ? poorCoverage(judged) : null;
    if (thin) outcome.override('error', thin);
  }
  const missed = (judged.objectives ?? []).filter((o) => o.status === 'missed');
  // unknown objectives are reported as such and never count as met, but do not refute the hypothesis
  if (outcome.verdict === 'passed' && missed.length) outcome.end('failed', `objective missed: ${missed.map(describeMiss).join('; ')}`);
  // A fault left in place outweighs any other ending: the operator must act.
  const leftBehind = judged.faults.filter((f) => f.error?.startsWith('revert failed'));
  if (leftBehind.length) {
    outcome.override(
      'error',
      `${leftBehind.map((f) => `${f.fault} on ${f.target}: ${f.error}`).join('; ')}; run faultline recover, or see docs/safety.md`,
    );
  }
}

/**
 * Fail closed: samples that cover too little of the chaos window (a stalled runner, a hung probe) cannot
 * support `passed`; the run ends `error`, saying how much was covered.
 */
function poorCoverage({ coverage = [], intervals }: Judged): string | null {
  const thin = coverage.filter((c) => c.windowMs >= 2 * (intervals?.get(c.probe) ?? 0) && c.ratio < MIN_COVERAGE);
  if (!thin.length) return null;
  const what = thin
    .map(
      (c) =>
        `probe ${c.probe} covered ${(c.ratio * 100).toFixed(0)}% of the ${formatDuration(c.windowMs)} chaos window (longest gap ${formatDuration(c.longestGapMs)})`,
    )
    .join('; ');
  return `${what}, below the ${MIN_COVERAGE * 100}% a verdict needs: the runner stalled or the probe could not keep its interval; the hypothesis was not tested`;
}

/** The hypothesis, judged on the samples taken while faults were active and on the recovery. */
export function judge(
  experiment: Experiment,
  outcome: Outcome,
  { tolerances, mttrMs, duringSamples, injected }: Pick<Judged, 'tolerances' | 'mttrMs' | 'duringSamples' | 'injected'>,
): void {
  if (!injected) {
    outcome.end('passed', 'no fault was injected: every step chose no target (allowEmpty); the hypothesis was not put to the test');
    return;
  }
  if (experiment.steadyState.probes.length === 0) {
    outcome.end('passed', 'every fault was applied and reverted (no steady-state probe to judge the hypothesis)');
    return;
  }
  if (duringSamples === 0) {
    outcome.end(
      'failed',
      'no steady-state sample was taken while faults were active; give the fault steps a duration longer than the probe interval',
    );
    return;
  }
  const broken = tolerances.filter((t) => !t.ok);
  if (broken.length) {
    outcome.end(
      'failed',
      `hypothesis refuted: ${broken.map((t) => `${t.name} ${formatToleranceActual(t)}, expected ${t.expected}`).join('; ')}`,
    );
    return;
  }
  if (experiment.steadyState.requireRecovery && mttrMs === null) {
    outcome.end(
      'failed',
      `the steady state did not return within ${formatDuration(experiment.steadyState.recoveryTimeout)} after the faults ended`,
    );
    return;
  }
  outcome.end(
    'passed',
    `the steady state held: ${tolerances.map((t) => `${t.name} ${formatToleranceActual(t)} (${t.expected})`).join(', ')}`,
  );
}
