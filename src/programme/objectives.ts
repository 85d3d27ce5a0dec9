/**
 * Objectives as a programme or a game day names them: a number comparator per measured figure, durations
 * written as strings (`mttd: { lt: 60s }`). An unknown figure is an error naming the known ones.
 */
import { z } from 'zod';
import { type NumberComparison, numberComparatorSchema } from '../spec/comparators.js';
import { strict } from '../spec/fields.js';
import { parseDuration } from '../util/duration.js';

/** Figures measured as durations: their comparator values may be written `60s`, `5m`. */
const DURATION_FIGURES = ['mttd', 'mttr', 'timeToAlert', 'rto', 'rpo'] as const;
const NUMBER_FIGURES = ['availability', 'errorBudgetSpent', 'lostWrites'] as const;
export const OBJECTIVE_FIGURES = [...DURATION_FIGURES, ...NUMBER_FIGURES] as const;
export type ObjectiveFigure = (typeof OBJECTIVE_FIGURES)[number];
export type Objectives = Partial<Record<ObjectiveFigure, NumberComparison>>;

/** `{ lt: 60s }` -> `{ lt: 60000 }`; a string that is no duration is left for the comparator to reject. */
function durationsToMs(value: unknown): unknown {
  const toMs = (v: unknown) => (typeof v === 'string' && parseDuration(v) !== null ? parseDuration(v) : v);
  if (typeof value === 'string') return toMs(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v.map(toMs) : toMs(v)]));
}

const durationComparator = z.preprocess(durationsToMs, numberComparatorSchema);

export const objectivesSchema: z.ZodType<Objectives> = strict({
  ...Object.fromEntries(DURATION_FIGURES.map((f) => [f, durationComparator.optional()])),
  ...Object.fromEntries(NUMBER_FIGURES.map((f) => [f, numberComparatorSchema.optional()])),
}) as unknown as z.ZodType<Objectives>;
