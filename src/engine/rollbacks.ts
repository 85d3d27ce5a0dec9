/** The experiment's rollback commands, run at the end of every run, each recorded in the timeline. */
import type { Experiment } from '../spec/load.js';
import { describeFailure, runCommand } from '../util/run-command.js';
import type { Timeline } from './events.js';

export async function runRollbacks(experiment: Experiment, timeline: Timeline): Promise<void> {
  for (const rollback of experiment.rollbacks) {
    const result = await runCommand(rollback.cmd, { timeoutMs: rollback.timeout });
    const ok = !result.spawnError && !result.timedOut && result.exitCode === 0;
    timeline.add(ok ? 'rollback' : 'rollback-failed', ok ? rollback.cmd.join(' ') : describeFailure(rollback.cmd, result));
  }
}
