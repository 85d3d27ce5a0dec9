/**
 * The fault contract (test/support/fault-contract.ts) for every fault whose target is a process. Each target
 * is a process started under `faultline wrap`, so that the faults that need the preload library (io.*,
 * time.skew) get the whole contract too; what a user would look at is the process's state and the two
 * control files its library reads (the clock and the IO rules).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe } from 'vitest';
import { CLOCK_FILE_ENV, IO_FILE_ENV } from '../src/faults/wrap/preload.js';
import { startCli, tempHome } from './support/cli.js';
import { faultContract } from './support/fault-contract.js';
import { isGone, processState, waitFor } from './support/processes.js';

const wrapped: { wrapped: () => number | undefined; kill: () => void }[] = [];

afterAll(() => {
  for (const w of wrapped.splice(0)) w.kill();
});

/** A process that prints its pid and waits, under `faultline wrap`; resolves with its pid. */
async function startWrappedSleeper(): Promise<number> {
  const run = startCli(['wrap', '--', process.execPath, '-e', 'console.log("pid " + process.pid); setTimeout(() => {}, 120_000)'], {
    home: tempHome(),
  });
  const pidOf = () => Number(/pid (\d+)/.exec(run.output())?.[1]) || undefined;
  wrapped.push({
    wrapped: pidOf,
    kill: () => {
      const pid = pidOf();
      for (const [p, signal] of [
        [pid, 'SIGCONT'],
        [pid, 'SIGKILL'],
        [run.child.pid, 'SIGKILL'],
      ] as const) {
        try {
          if (p) process.kill(p, signal);
        } catch {}
      }
    },
  });
  await waitFor(
    () => pidOf() !== undefined,
    10_000,
    () => `the wrapped process to start (${run.output()})`,
  );
  return pidOf() as number;
}

/** The control files of a wrapped process, from its environment. */
function controlFiles(pid: number): string[] {
  const env = new Map(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as const),
  );
  return [CLOCK_FILE_ENV, IO_FILE_ENV].map((name) => env.get(name) as string);
}

describe('the fault contract on processes (started under faultline wrap)', () => {
  faultContract({
    need: 'process',
    async target(scratch) {
      const pid = await startWrappedSleeper();
      const files = controlFiles(pid);
      const state = () => (isGone(pid) ? 'gone' : processState(pid) === 'T' ? 'stopped' : 'running');
      return {
        // the files its IO faults may touch (io.* need them named on the target)
        spec: { name: `worker${pid}`, process: { pid }, files: [scratch] },
        // what a user checks: is it there, is it running or stopped (SIGSTOP), and what its clock and IO rules say
        snapshot: () => [state(), ...files.map((file) => `${file}: ${JSON.stringify(readFileSync(file, 'utf8'))}`)].join('\n'),
      };
    },
  });
});
