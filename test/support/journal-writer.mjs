/**
 * Writes journal entries in a tight, bounded loop so that test/torture.test.ts can SIGKILL it in the
 * middle of a write. Usage: node journal-writer.mjs JOURNAL_FILE APPEND_FILE CYCLES
 * Each cycle opens an entry (custom.action whose revert appends a line to APPEND_FILE), marks it
 * active, then reverted: a writer killed anywhere leaves at most one entry open.
 */
import { Journal } from '../../dist/journal/journal.js';

const [file, appendFile, cyclesText = '20000'] = process.argv.slice(2);
if (!file || !appendFile) {
  process.stderr.write('usage: journal-writer.mjs JOURNAL_FILE APPEND_FILE [CYCLES]\n');
  process.exit(2);
}
const journal = new Journal(file);
process.stdout.write('ready\n');
const cycles = Number(cyclesText);
for (let i = 0; i < cycles; i++) {
  const id = journal.begin({
    runId: `writer-${process.pid}`,
    experiment: 'journal-torture',
    step: `cycle-${i}`,
    fault: 'custom.action',
    target: 'localhost',
    state: { revert: ['sh', '-c', 'echo reverted >> "$0"', appendFile], timeoutMs: 10_000 },
  });
  journal.markActive(id);
  journal.markReverted(id);
}
journal.close();
process.stdout.write('done\n');
