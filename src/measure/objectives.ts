/**
 * Objectives (`spec.objectives`), judged after the run on its measured figures. Definitions
 * (docs/objectives-and-scorecards.md):
 *
 * - mttd: first fault to the first failing steady-state sample;
 * - mttr: end of the last fault to the first of k consecutive good samples;
 * - timeToAlert: first fault to the first firing alert received;
 * - availability: good / all steady-state samples while faults were active;
 * - errorBudgetSpent: fraction of the SLO window's error budget the run consumed (time-based);
 * - lostWrites: acknowledged writes missing when read back; rpo: first fault to the recovery point;
 * - rto: first fault to the steady state holding again = (last fault end - first fault) + mttr.
 *
 * A figure that could not be measured makes its objective `unknown`, never `met`. Two absences are
 * judged as misses because they are what the objective is about: no alert at all for timeToAlert, and
 * a system that did not recover for mttr and rto.
 */
import type { DataLoss, Measurements, ReportObjective } from '../report/types.js';
import { compareNumber, describeNumber, type NumberComparison } from '../spec/comparators.js';
import type { Objectives } from '../spec/schema.js';
import { formatFigure } from '../util/format.js';
import type { Markers } from './measurements.js';

export interface ObjectiveInputs {
  /** the report's measurements (mttrMs null with its reason when not applicable) */
  measurements: Measurements;
  dataLoss: DataLoss | undefined;
  markers: Markers;
  /** whether the experiment has steady-state probes */
  hasSteadyState: boolean;
}

type Figure = { actual: number } | { unknown: string } | { missed: string };

interface ObjectiveDefinition {
  unit: ReportObjective['unit'];
  figure: (inputs: ObjectiveInputs) => Figure;
}

const NO_FAULT = 'no fault was injected';
const NO_STEADY_STATE = 'the experiment has no steady-state probe';

function known(value: number | null | undefined, why: string): Figure {
  return value === null || value === undefined ? { unknown: why } : { actual: value };
}

/** The recovery time as judged: measured, not applicable (nothing failed) or never reached. */
function recovery({ measurements: m, markers, hasSteadyState }: ObjectiveInputs): Figure {
  if (markers.injectedAt === null) return { unknown: NO_FAULT };
  if (!hasSteadyState) return { unknown: NO_STEADY_STATE };
  if (m.mttrMs !== null) return { actual: m.mttrMs };
  if (m.mttdMs === null) return { unknown: 'not applicable: no steady-state sample failed, so there was nothing to recover from' };
  return { missed: 'the steady state did not return before probing ended' };
}

const DEFINITIONS: Record<keyof Objectives, ObjectiveDefinition> = {
  mttd: {
    unit: 'ms',
    figure: ({ measurements: m, markers, hasSteadyState }) => {
      if (markers.injectedAt === null) return { unknown: NO_FAULT };
      if (!hasSteadyState) return { unknown: NO_STEADY_STATE };
      return known(m.mttdMs, 'not applicable: no steady-state sample failed after the first fault');
    },
  },
  mttr: { unit: 'ms', figure: recovery },
  timeToAlert: {
    unit: 'ms',
    figure: ({ measurements: m, markers }) => {
      if (markers.injectedAt === null) return { unknown: NO_FAULT };
      return m.mttdAlertMs === null || m.mttdAlertMs === undefined
        ? { missed: 'no firing alert was received after the first fault' }
        : { actual: m.mttdAlertMs };
    },
  },
  availability: {
    unit: 'ratio',
    figure: ({ measurements: m }) => known(m.availability, 'no steady-state sample was taken while faults were active'),
  },
  errorBudgetSpent: {
    unit: 'ratio',
    figure: ({ measurements: m }) =>
      m.slo ? known(m.slo.errorBudgetConsumed, 'no SLI sample after the first fault') : { unknown: 'needs spec.slo' },
  },
  lostWrites: {
    unit: 'count',
    figure: ({ dataLoss }) => (dataLoss ? { actual: dataLoss.lost } : { unknown: 'needs a write probe' }),
  },
  rpo: {
    unit: 'ms',
    figure: ({ dataLoss }) => (dataLoss ? known(dataLoss.rpoMs, NO_FAULT) : { unknown: 'needs a write probe' }),
  },
  rto: {
    unit: 'ms',
    figure: (inputs) => {
      const { injectedAt, faultEndedAt } = inputs.markers;
      const recovered = recovery(inputs);
      if (!('actual' in recovered) || injectedAt === null || faultEndedAt === null) return recovered;
      return { actual: faultEndedAt - injectedAt + recovered.actual };
    },
  },
};

const show = formatFigure;

export function evaluateObjectives(objectives: Objectives, inputs: ObjectiveInputs): ReportObjective[] {
  const results: ReportObjective[] = [];
  for (const [name, definition] of Object.entries(DEFINITIONS) as [keyof Objectives, ObjectiveDefinition][]) {
    const expected = objectives[name] as NumberComparison | undefined;
    if (expected === undefined) continue;
    const unit = definition.unit;
    const described = describeNumber(expected, (v) => show(unit, v));
    const figure = definition.figure(inputs);
    if ('unknown' in figure) {
      results.push({ name, expected: described, actual: null, unit, status: 'unknown', detail: figure.unknown });
    } else if ('missed' in figure) {
      results.push({ name, expected: described, actual: null, unit, status: 'missed', detail: figure.missed });
    } else {
      const met = compareNumber(figure.actual, expected);
      results.push({
        name,
        expected: described,
        actual: figure.actual,
        unit,
        status: met ? 'met' : 'missed',
        detail: `measured ${show(unit, figure.actual)}`,
      });
    }
  }
  return results;
}

/** `mttd 1.2s, expected < 1s`: how a missed objective is named in the verdict's reason. */
export function describeMiss(o: ReportObjective): string {
  return o.actual === null
    ? `${o.name} (${o.detail}), expected ${o.expected}`
    : `${o.name} ${show(o.unit, o.actual)}, expected ${o.expected}`;
}
