/** One timestamped observation of a probe. Every sample of a run is kept. */
export type Phase = 'before' | 'during' | 'after';

/**
 * The phase a sample counts in: the one it started in, except that a sample still in flight when the
 * chaos began counts as `during`: the fault may have cut it short (a killed server resets the request),
 * and the baseline must only hold what the system did untouched.
 */
export function phaseOfSample(startedIn: Phase, endedIn: Phase): Phase {
  return startedIn === 'before' && endedIn !== 'before' ? 'during' : startedIn;
}

export interface Sample {
  probe: string;
  /** when the check started, epoch milliseconds */
  t: number;
  ok: boolean;
  latencyMs: number;
  /** when the sample was complete, every attempt included, epoch ms (kept in memory, not stored) */
  endedAt?: number;
  phase: Phase;
  detail: string;
}
