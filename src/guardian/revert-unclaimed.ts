/**
 * The guardian's revert when the journal is locked. A runner frozen in the middle of a journal write
 * (stopped, its VM paused) holds SQLite's write lock until it runs again, so the claim that keeps two
 * reverters of one entry apart cannot be taken, and waiting for it would hold the faults for as long
 * as the runner is frozen. The guardian reverts its runner's open entries all the same (a revert is
 * idempotent; the runner, the other party, is frozen) and closes them in the journal once it can.
 */
import type { FaultType } from '../faults/types.js';
import type { Journal, JournalEntry } from '../journal/journal.js';
import { errorMessage } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import { isLocked } from '../util/sqlite.js';

const RETRY_MS = 100;

/** Reverts `entries` without claiming them; returns what became of each, a line each. */
export async function revertUnclaimed(
  entries: JournalEntry[],
  findFault: (name: string) => FaultType | undefined,
): Promise<{ reverted: JournalEntry[]; lines: string[] }> {
  const reverted: JournalEntry[] = [];
  const lines: string[] = [];
  for (const entry of entries) {
    const fault = findFault(entry.fault);
    if (!fault) {
      lines.push(`fault ${entry.fault} is unknown to this version of faultline; revert it by hand (docs/safety.md)`);
      continue;
    }
    try {
      await fault.revert(entry.state);
      reverted.push(entry);
      lines.push(`reverted ${entry.fault} on ${entry.target} (the journal was locked: closed in it once free)`);
    } catch (error) {
      lines.push(`could not revert ${entry.fault} on ${entry.target}: ${errorMessage(error)}`);
    }
  }
  return { reverted, lines };
}

/**
 * Marks `entries` reverted by `by` as soon as the journal's lock is free, while `wanted()` holds. An
 * entry another process claimed meanwhile (the runner, awake again) is left to it.
 */
export async function closeWhenUnlocked(journal: Journal, entries: JournalEntry[], by: string, wanted: () => boolean): Promise<void> {
  let left = [...entries];
  while (left.length && wanted()) {
    left = left.filter((entry) => {
      try {
        if (journal.claim(entry.id)) journal.markReverted(entry.id, by);
        return false;
      } catch (error) {
        if (isLocked(error)) return true;
        throw error;
      }
    });
    if (left.length) await sleep(RETRY_MS);
  }
}
