/** The verdict of a run: how the run ended (`Outcome`), and the rules that judge the hypothesis at its end. */
import { describeMiss } from '../measure/objectives.js';
import type { ReportFault, ReportObjective, ReportProgressive, ReportTolerance, Verdict } from '../report/types.js';
import type { Experiment } from '../spec/load.js';
import { formatDuration } from '../util/duration.js';
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
  if (outcome.verdict === 'passed') judge(experiment, outcome, judged);
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
      `hypothesis refuted: ${broken.map((t) => `${t.name} ${formatValue(t.actual)}, expected ${t.expected}`).join('; ')}`,
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
  outcome.end('passed', `the steady state held: ${tolerances.map((t) => `${t.name} ${formatValue(t.actual)} (${t.expected})`).join(', ')}`);
}

function formatValue(value: number | null): string {
  if (value === null) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(4).replace(/0+$/, '');
}
