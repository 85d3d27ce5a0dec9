/**
 * Reverts every fault the journal shows as still in effect whose run is gone (crashed, killed,
 * power lost). Runs of live processes are left to revert their own faults, unless the caller is the
 * guardian of a run that stopped making progress. Each entry is claimed first, so the guardian and a
 * `faultline recover` started at the same moment never revert one fault twice at once.
 */
import { hostname } from 'node:os';
import { errorMessage } from '../util/errors.js';
import type { Owner } from '../util/owner.js';
import { entryOwnerIsAlive, type Journal, type JournalEntry } from './journal.js';

export interface RecoveryOutcome {
  entry: JournalEntry;
  action: 'reverted' | 'failed' | 'skipped-live-run';
  detail: string;
}

export interface RecoverOptions {
  /** revert the entries of live runs too (a halt, or an operator who knows better) */
  includeLiveRuns?: boolean;
  /** only the entries of this process (a guardian reverts its own runner's) */
  owner?: Pick<Owner, 'pid' | 'start'>;
  /** who reverts, kept in the journal: `recover` (default), `guardian (runner died)`, ... */
  by?: string;
}

/** The entries whose fault may still be in effect, of one process (`owner`) or of all. */
export function openEntriesOf(journal: Journal, owner?: Pick<Owner, 'pid' | 'start'>): JournalEntry[] {
  return journal.open().filter((e) => !owner || (e.ownerPid === owner.pid && e.ownerStart === owner.start));
}

/**
 * Reverts one entry's fault from its journaled state, without touching the journal: the caller claims
 * the entry first (recoverJournal) or cannot (the guardian's revert-unclaimed.ts). `detail` is the line
 * for people, `error` what the journal keeps of a failure.
 */
export async function revertEntryFault(entry: JournalEntry): Promise<{ reverted: boolean; detail: string; error?: string }> {
  // the registry (every fault and its parameter schema) loads only when there is something to revert:
  // `faultline recover` with a clean journal answers without it
  const { findFault } = await import('../faults/index.js');
  const fault = findFault(entry.fault);
  if (!fault) {
    return {
      reverted: false,
      detail: `fault ${entry.fault} is unknown to this version of faultline; revert it by hand (docs/safety.md)`,
      error: `fault ${entry.fault} is unknown to this faultline version`,
    };
  }
  try {
    await fault.revert(entry.state);
    return { reverted: true, detail: `reverted ${entry.fault} on ${entry.target}` };
  } catch (error) {
    const message = errorMessage(error);
    return { reverted: false, detail: `could not revert ${entry.fault} on ${entry.target}: ${message}`, error: message };
  }
}

export async function recoverJournal(journal: Journal, options: RecoverOptions = {}): Promise<RecoveryOutcome[]> {
  const outcomes: RecoveryOutcome[] = [];
  for (const entry of openEntriesOf(journal, options.owner)) {
    if (!options.includeLiveRuns && entryOwnerIsAlive(entry)) {
      const detail =
        entry.host === hostname()
          ? `run ${entry.runId} (pid ${entry.ownerPid}) is still running and will revert it`
          : `run ${entry.runId} belongs to host ${entry.host}; run faultline recover there`;
      outcomes.push({ entry, action: 'skipped-live-run', detail });
      continue;
    }
    if (!journal.claim(entry.id)) {
      // another live process (the runner's guardian) is reverting it: wait for it, then see
      await journal.waitForOtherReverter(entry.id);
      const now = journal.get(entry.id);
      if (now?.status === 'reverted') {
        outcomes.push({
          entry,
          action: 'reverted',
          detail: `${entry.fault} on ${entry.target} was reverted by ${now.revertedBy ?? 'another process'}`,
        });
        continue;
      }
      if (!journal.claim(entry.id)) continue;
    }
    const { reverted, detail, error } = await revertEntryFault(entry);
    if (reverted) journal.markReverted(entry.id, options.by ?? 'recover');
    else journal.markRevertFailed(entry.id, error ?? detail);
    outcomes.push({ entry, action: reverted ? 'reverted' : 'failed', detail });
  }
  return outcomes;
}
