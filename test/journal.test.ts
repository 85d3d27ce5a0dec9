/** Reverting is idempotent and safe on a half-applied fault; the journal survives its writer's death. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getFault } from '../src/faults/index.js';
import { Journal } from '../src/journal/journal.js';
import { recoverJournal } from '../src/journal/recover.js';
import { processInfo } from '../src/util/processes.js';
import { tempDir } from './support/cli.js';
import { killStarted, processState, startSleeper, waitFor } from './support/processes.js';

afterEach(() => killStarted());

const pause = () => getFault('process.pause');

describe('process.pause revert', () => {
  it('is harmless twice, and on a process that is gone', async () => {
    const worker = startSleeper('revert-twice');
    const pid = worker.pid as number;
    await waitFor(() => processInfo(pid) !== undefined, 5000, 'the worker');
    const state = { pid, startTime: processInfo(pid)?.startTime };
    process.kill(pid, 'SIGSTOP');
    await waitFor(() => processState(pid) === 'T', 5000, 'the stop');
    await pause().revert(state);
    await pause().revert(state);
    expect(processState(pid)).not.toBe('T');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => processState(pid) === undefined || processState(pid) === 'Z', 5000, 'the kill');
    await expect(pause().revert(state)).resolves.toBeUndefined();
  });

  it('does not resume a different process that reused the pid', async () => {
    const worker = startSleeper('pid-reuse');
    const pid = worker.pid as number;
    await waitFor(() => processInfo(pid) !== undefined, 5000, 'the worker');
    process.kill(pid, 'SIGSTOP');
    await waitFor(() => processState(pid) === 'T', 5000, 'the stop');
    // a journaled start time that is not this process's: as if the pid had been reused
    await pause().revert({ pid, startTime: 'not-this-process' });
    expect(processState(pid)).toBe('T');
    process.kill(pid, 'SIGCONT');
  });
});

describe('the journal', () => {
  it('recovers an entry journaled by a dead writer, even if the fault was only half applied', async () => {
    const file = join(tempDir(), 'journal.db');
    const journal = new Journal(file);
    const worker = startSleeper('half-applied');
    const pid = worker.pid as number;
    await waitFor(() => processInfo(pid) !== undefined, 5000, 'the worker');
    const id = journal.begin({
      runId: 'r1',
      experiment: 'e',
      step: 's',
      fault: 'process.pause',
      target: 'w',
      state: { pid, startTime: processInfo(pid)?.startTime },
    });
    process.kill(pid, 'SIGSTOP'); // applied, but never marked active: the writer "died" here
    journal.close();

    const reopened = new Journal(file);
    const open = reopened.open();
    expect(open.map((e) => [e.id, e.status])).toEqual([[id, 'applying']]);
    const outcomes = await recoverJournal(reopened, { includeLiveRuns: true });
    expect(outcomes.map((o) => o.action)).toEqual(['reverted']);
    expect(processState(pid)).not.toBe('T');
    expect(reopened.open()).toEqual([]);
    reopened.close();
  });

  it('keeps an entry open, with its error, when its revert fails', async () => {
    const file = join(tempDir(), 'journal.db');
    const journal = new Journal(file);
    journal.begin({
      runId: 'r2',
      experiment: 'e',
      step: 's',
      fault: 'custom.action',
      target: 'localhost',
      state: { revert: ['false'], timeoutMs: 5000 },
    });
    const outcomes = await recoverJournal(journal, { includeLiveRuns: true });
    expect(outcomes[0]?.action).toBe('failed');
    expect(outcomes[0]?.detail).toMatch(/revert command failed: false: exit 1/);
    expect(journal.open()[0]?.status).toBe('revert-failed');
    journal.close();
  });
});
