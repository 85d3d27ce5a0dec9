/**
 * The guardian's revert when the journal is locked. A runner frozen in the middle of a journal write
 * (stopped, its VM paused) holds SQLite's write lock until it runs again, so the claim that keeps two
 * reverters of one entry apart cannot be taken, and waiting for it would hold the faults for as long
 * as the runner is frozen. The guardian reverts its runner's open entries all the same (a revert is
 * idempotent; the runner, the other party, is frozen) and closes them in the journal once it can.
 */
import type { Journal, JournalEntry } from '../journal/journal.js';
import { revertEntryFault } from '../journal/recover.js';
import { sleep } from '../util/sleep.js';
import { isLocked } from '../util/sqlite.js';

const RETRY_MS = 100;

/** Reverts `entries` without claiming them; returns those reverted, and a line for each entry. */
export async function revertUnclaimed(entries: JournalEntry[]): Promise<{ reverted: JournalEntry[]; lines: string[] }> {
  const reverted: JournalEntry[] = [];
  const lines: string[] = [];
  for (const entry of entries) {
    const outcome = await revertEntryFault(entry);
    if (outcome.reverted) reverted.push(entry);
    lines.push(outcome.reverted ? `${outcome.detail} (the journal was locked: closed in it once free)` : outcome.detail);
  }
  return { reverted, lines };
}

/** Marks `entries` reverted by `by` as soon as the journal's lock is free; one another process claimed meanwhile (the runner, awake again) is left to it. */
export async function closeWhenUnlocked(journal: Journal, entries: JournalEntry[], by: string): Promise<void> {
  let left = [...entries];
  while (left.length) {
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
