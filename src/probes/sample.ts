/** One timestamped observation of a probe. Every sample of a run is kept. */
export type Phase = 'before' | 'during' | 'after';

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
