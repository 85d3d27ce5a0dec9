/** The fault contract (test/support/fault-contract.ts) for every fault that acts on this host (no selector). */
import { readdirSync, readFileSync } from 'node:fs';
import { describe } from 'vitest';
import { listProcesses } from '../src/util/processes.js';
import { faultContract } from './support/fault-contract.js';

const MARK = 'FAULTLINE_CONTRACT_SCRATCH';

/** Live processes started with this test's mark in their environment (stress workers, stress-ng, commands). */
function markedProcesses(scratch: string): string[] {
  const mark = `${MARK}=${scratch}\0`;
  return listProcesses()
    .filter((p) => p.pid !== process.pid && p.state !== 'Z')
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, 'utf8').includes(mark);
      } catch {
        return false;
      }
    })
    .map((p) => p.command)
    .sort();
}

describe('the fault contract on this host', () => {
  faultContract({
    need: 'host',
    env: (scratch) => ({ [MARK]: scratch }),
    async target(scratch) {
      // in process, the faults' workers and commands inherit the mark from this process
      process.env[MARK] = scratch;
      return {
        spec: { name: 'host' },
        // what a user checks: which processes the fault started, which files it left in its folder
        snapshot: () => JSON.stringify({ processes: markedProcesses(scratch), files: readdirSync(scratch).sort() }),
        // stress workers exist, idle, when they are journaled; files are harm as soon as they exist
        harm: () => JSON.stringify({ files: readdirSync(scratch).sort() }),
      };
    },
  });
});
