/**
 * Lost acknowledged writes and the observed RPO, from a write probe's log and what it read back
 * (reference notes, commercial-sre.md section 5.3 item 9, the Jepsen approach):
 *
 * - lost = writes acknowledged ok but missing when read back; indeterminate writes are reported apart;
 * - the recovery point RP is the latest time such that every write acknowledged at or before it survived;
 * - RPO_obs = max(0, tInterruption - RP), with tInterruption the first fault's injection;
 * - nothing lost: RPO_obs is 0, to the resolution of one write interval.
 */
import type { DataLoss } from '../report/types.js';

export type WriteOutcome = 'ok' | 'fail' | 'info';

export interface WriteRecord {
  seq: number;
  /** when the write started, epoch ms */
  t: number;
  /** when it was acknowledged, epoch ms; null unless outcome is ok */
  ackAt: number | null;
  outcome: WriteOutcome;
}

export type ReadState = 'present' | 'missing' | 'unreadable';

const LOST_SEQS_SHOWN = 20;

export function analyseWrites(
  probe: string,
  records: readonly WriteRecord[],
  reads: ReadonlyMap<number, ReadState>,
  interruptedAt: number | null,
  intervalMs: number,
): DataLoss {
  const acked = records.filter((r) => r.outcome === 'ok').sort((a, b) => (a.ackAt as number) - (b.ackAt as number));
  const lost = acked.filter((r) => reads.get(r.seq) === 'missing');
  const survived = acked.filter((r) => reads.get(r.seq) === 'present');
  const unreadable = records.filter((r) => r.outcome !== 'fail' && reads.get(r.seq) === 'unreadable').length;

  let recoveryPoint: number | null;
  const firstLost = lost[0];
  if (firstLost === undefined) {
    recoveryPoint = survived.at(-1)?.ackAt ?? null;
  } else {
    const before = survived.filter((r) => (r.ackAt as number) < (firstLost.ackAt as number));
    // nothing survived before the first loss: the recovery point is before the first write
    recoveryPoint = before.at(-1)?.ackAt ?? Math.min(...records.map((r) => r.t));
  }
  let rpoMs: number | null = null;
  if (interruptedAt !== null) rpoMs = lost.length === 0 || recoveryPoint === null ? 0 : Math.max(0, interruptedAt - recoveryPoint);

  return {
    probe,
    written: records.length,
    acknowledged: acked.length,
    failed: records.filter((r) => r.outcome === 'fail').length,
    indeterminate: records.filter((r) => r.outcome === 'info').length,
    lost: lost.length,
    lostSeqs: lost
      .map((r) => r.seq)
      .sort((a, b) => a - b)
      .slice(0, LOST_SEQS_SHOWN),
    lostAfterInterruption: interruptedAt === null ? 0 : lost.filter((r) => (r.ackAt as number) > interruptedAt).length,
    unreadable,
    rpoMs,
    rpoResolutionMs: intervalMs,
    recoveryPoint: recoveryPoint === null ? null : new Date(recoveryPoint).toISOString(),
    interruptedAt: interruptedAt === null ? null : new Date(interruptedAt).toISOString(),
  };
}
