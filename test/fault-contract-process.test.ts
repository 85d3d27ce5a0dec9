/** The fault contract (test/support/fault-contract.ts) for every fault whose target is a process. */
import { afterAll, describe } from 'vitest';
import { faultContract } from './support/fault-contract.js';
import { isGone, killStarted, processState, startSleeper } from './support/processes.js';

afterAll(killStarted);

const WRAPPED = 'needs a process started under faultline wrap: test/faults-io.test.ts, test/faults-time.test.ts';

describe('the fault contract on processes', () => {
  faultContract({
    need: 'process',
    skip: { 'io.attr': WRAPPED, 'io.error': WRAPPED, 'io.latency': WRAPPED, 'io.mistake': WRAPPED, 'time.skew': WRAPPED },
    async target() {
      const sleeper = startSleeper('fault-contract', 120);
      const pid = sleeper.pid as number;
      return {
        spec: { name: `worker${pid}`, process: { pid } },
        // what a user checks: is it there, and is it running or stopped (SIGSTOP)
        snapshot: () => (isGone(pid) ? 'gone' : processState(pid) === 'T' ? 'stopped' : 'running'),
      };
    },
  });
});
