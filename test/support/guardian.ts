/**
 * The runner's guardian in crash tests: SIGKILL the runner alone and its guardian reverts the faults
 * within a second, with nobody running `faultline recover`; SIGKILL both (a lost host) and the faults
 * stay until `faultline recover`, which is what recover is still for.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isGone, waitFor } from './processes.js';

/** How soon the guardian must have reverted a SIGKILLed runner's faults. */
export const GUARDIAN_BOUND_MS = 1_000;

/** The pid of the guardian watching the journal of `home`, if one runs. */
export function guardianOf(home: string): number | undefined {
  const journal = join(home, 'journal.db');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('guardian/main.js')) && argv.includes(journal)) return Number(entry);
    } catch {}
  }
  return undefined;
}

interface RunningCli {
  child: ChildProcess;
  done: Promise<unknown>;
}

/** SIGKILLs the runner and its guardian together, as a lost host would: nothing reverts the faults. */
export async function killRunnerAndGuardian(run: RunningCli, home: string): Promise<void> {
  const guardian = guardianOf(home);
  expect(guardian, 'a guardian watches the run').toBeDefined();
  process.kill(guardian as number, 'SIGKILL');
  await waitFor(() => isGone(guardian as number), 5_000, 'the guardian to die');
  run.child.kill('SIGKILL');
  await run.done;
}

/**
 * SIGKILLs the runner alone and asserts that `reverted` holds within GUARDIAN_BOUND_MS of the kill,
 * with nobody running recover. Returns how long it took.
 */
export async function expectGuardianReverts(
  run: RunningCli,
  home: string,
  reverted: () => boolean | Promise<boolean>,
  what: string,
): Promise<number> {
  expect(guardianOf(home), 'a guardian watches the run').toBeDefined();
  expect(await reverted(), `${what} is not reverted before the kill`).toBe(false);
  const killedAt = Date.now();
  run.child.kill('SIGKILL');
  await waitFor(reverted, GUARDIAN_BOUND_MS, `${what}, reverted by the guardian`);
  const took = Date.now() - killedAt;
  await run.done;
  await waitFor(() => guardianOf(home) === undefined, 5_000, 'the guardian to exit once its work is done');
  return took;
}
