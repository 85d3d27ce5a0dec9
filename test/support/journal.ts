/** The journal of a test's FAULTLINE_HOME, as `faultline recover` would read it. */
import { join } from 'node:path';
import { Journal, type JournalEntry } from '../../src/journal/journal.js';

/** The entries still open (faults in effect or being reverted) in `home`'s journal. */
export function openJournalEntries(home: string): JournalEntry[] {
  const journal = new Journal(join(home, 'journal.db'));
  try {
    return journal.open();
  } finally {
    journal.close();
  }
}
