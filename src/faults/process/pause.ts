/** process.pause: SIGSTOP for the step's duration, SIGCONT on revert (Chaos Mesh's pod-failure, locally). */

import { instanceLabel } from '../../engine/target-instance.js';
import { strict } from '../../spec/fields.js';
import { UserError } from '../../util/errors.js';
import { isSameProcess } from '../../util/processes.js';
import { heldFor } from '../describe.js';
import { registerFault } from '../registry.js';
import { sendSignal } from './signals.js';

const params = strict({});

interface PauseState {
  pid: number;
  /** guards against resuming a different process that reused the pid */
  startTime?: string;
}

registerFault<Record<string, never>, PauseState>({
  name: 'process.pause',
  summary: 'stop the matched processes with SIGSTOP, resume them with SIGCONT on revert',
  params,
  needs: 'process',
  takesDown: true,
  describe: (_p, target, durationMs) => `SIGSTOP ${instanceLabel(target)} ${heldFor(durationMs)}, then SIGCONT`,
  async inject({ target, journal }) {
    const pid = target.pid as number;
    journal({ pid, startTime: target.startTime });
    try {
      if (!sendSignal(pid, 'SIGSTOP')) throw new UserError(`process ${instanceLabel(target)} exited before it could be paused`);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(
        `cannot pause ${instanceLabel(target)}: ${(error as Error).message}; run faultline as the process's user or as root`,
      );
    }
  },
  async revert({ pid, startTime }) {
    if (isSameProcess(pid, startTime)) sendSignal(pid, 'SIGCONT');
  },
});
