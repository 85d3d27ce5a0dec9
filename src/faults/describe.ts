/** Wording shared by the faults' descriptions (dry runs, plans, reports). */
import { formatDuration } from '../util/duration.js';

/** `for 30s`, or `until the method ends` for a step without a duration. */
export function heldFor(durationMs: number | null): string {
  return durationMs === null ? 'until the method ends' : `for ${formatDuration(durationMs)}`;
}
