/**
 * Reverts every fault the journal shows as still in effect whose run is gone (crashed, killed,
 * power lost). Runs of live processes are left to revert their own faults.
 */
import { hostname } from 'node:os';
import { findFault } from '../faults/index.js';
import { errorMessage } from '../util/errors.js';
import { entryOwnerIsAlive, type Journal, type JournalEntry } from './journal.js';

export interface RecoveryOutcome {
  entry: JournalEntry;
  action: 'reverted' | 'failed' | 'skipped-live-run';
  detail: string;
}

export async function recoverJournal(journal: Journal, options: { includeLiveRuns?: boolean } = {}): Promise<RecoveryOutcome[]> {
  const outcomes: RecoveryOutcome[] = [];
  for (const entry of journal.open()) {
    if (!options.includeLiveRuns && entryOwnerIsAlive(entry)) {
      const detail =
        entry.host === hostname()
          ? `run ${entry.runId} (pid ${entry.ownerPid}) is still running and will revert it`
          : `run ${entry.runId} belongs to host ${entry.host}; run faultline recover there`;
      outcomes.push({ entry, action: 'skipped-live-run', detail });
      continue;
    }
    const fault = findFault(entry.fault);
    if (!fault) {
      journal.markRevertFailed(entry.id, `fault ${entry.fault} is unknown to this faultline version`);
      outcomes.push({
        entry,
        action: 'failed',
        detail: `fault ${entry.fault} is unknown to this version of faultline; revert it by hand (docs/safety.md)`,
      });
      continue;
    }
    try {
      await fault.revert(entry.state);
      journal.markReverted(entry.id);
      outcomes.push({ entry, action: 'reverted', detail: `reverted ${entry.fault} on ${entry.target}` });
    } catch (error) {
      journal.markRevertFailed(entry.id, errorMessage(error));
      outcomes.push({ entry, action: 'failed', detail: `could not revert ${entry.fault} on ${entry.target}: ${errorMessage(error)}` });
    }
  }
  return outcomes;
}
