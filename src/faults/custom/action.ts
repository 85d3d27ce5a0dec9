/** custom.action: runs a command to cause harm and its paired command to undo it (argv, no shell). */
import { randomUUID } from 'node:crypto';
import { argv, duration, strict } from '../../spec/fields.js';
import { formatDuration } from '../../util/duration.js';
import { UserError } from '../../util/errors.js';
import { isSameProcess, processesWithEnvironment, processInfo } from '../../util/processes.js';
import { describeFailure, runCommand } from '../../util/run-command.js';
import { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';

const params = strict({
  run: argv.describe('command that causes the harm'),
  revert: argv.describe('command that undoes it; it is journaled before `run` starts'),
  timeout: duration.default(30_000).describe('time limit of each command'),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
});

type Params = z.infer<typeof params>;

interface ActionState {
  revert: string[];
  timeoutMs: number;
  cwd?: string;
  env?: Record<string, string>;
  /** the `run` command while it runs: a runner that dies must not let it finish after the revert */
  running?: { pid: number; startTime?: string };
  /**
   * a marker put in the environment of the `run` command, journaled before it starts: a runner that
   * dies between starting it and journaling its pid still leaves a way to find it (and what it started)
   */
  marker?: string;
}

/** The environment variable that carries the marker of a custom action's `run` command. */
const MARKER_VARIABLE = 'FAULTLINE_ACTION';

registerFault<Params, ActionState>({
  name: 'custom.action',
  summary: 'run a command, and its paired revert command when the fault ends',
  example: { run: ['touch', 'faultline-custom-action'], revert: ['rm', '-f', 'faultline-custom-action'] },
  params,
  needs: 'host',
  executes: () => true,
  describe: (p, _target, durationMs) =>
    `run \`${p.run.join(' ')}\`${durationMs === null ? '' : ` for ${formatDuration(durationMs)}`}, then \`${p.revert.join(' ')}\``,
  async inject({ params: p, journal }) {
    const state: ActionState = { revert: p.revert, timeoutMs: p.timeout, cwd: p.cwd, env: p.env, marker: randomUUID() };
    journal(state);
    const result = await runCommand(p.run, {
      timeoutMs: p.timeout,
      cwd: p.cwd,
      env: { ...p.env, [MARKER_VARIABLE]: state.marker as string },
      onSpawn: (pid) => journal({ ...state, running: { pid, startTime: processInfo(pid)?.startTime } }),
    });
    if (result.spawnError || result.timedOut || result.exitCode !== 0) {
      throw new UserError(`custom.action failed: ${describeFailure(p.run, result)}`);
    }
  },
  async revert(state) {
    // a `run` command still going (its runner died) is ended first, with everything it started
    if (state.running && isSameProcess(state.running.pid, state.running.startTime)) killGroup(state.running.pid);
    if (state.marker) for (const pid of processesWithEnvironment(MARKER_VARIABLE, state.marker)) killGroup(pid);
    const result = await runCommand(state.revert, { timeoutMs: state.timeoutMs, cwd: state.cwd, env: state.env });
    if (result.spawnError || result.timedOut || result.exitCode !== 0) {
      throw new Error(`revert command failed: ${describeFailure(state.revert, result)}`);
    }
  },
});

/** SIGKILLs the process group of `pid` (the `run` command leads its own), or the process alone. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}
