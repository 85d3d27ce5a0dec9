/** process.kill: sends a signal (SIGKILL by default) to each selected process. Nothing to revert. */

import { instanceLabel } from '../../engine/target-instance.js';
import { strict } from '../../spec/fields.js';
import { UserError } from '../../util/errors.js';
import type { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';
import { sendSignal, signalName } from './signals.js';

const params = strict({
  signal: signalName.default('SIGKILL').describe('signal to send, e.g. SIGKILL, SIGTERM'),
});

interface KillState {
  pid: number;
  signal: string;
}

registerFault<z.infer<typeof params>, KillState>({
  name: 'process.kill',
  summary: 'send a signal (default SIGKILL) to the matched processes',
  params,
  needs: 'process',
  takesDown: true,
  instantaneous: true,
  describe: (p, target) => `send ${p.signal} to ${instanceLabel(target)}`,
  async inject({ params: p, target, journal }) {
    const pid = target.pid as number;
    journal({ pid, signal: p.signal });
    try {
      if (!sendSignal(pid, p.signal)) throw new UserError(`process ${instanceLabel(target)} exited before it could be killed`);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(
        `cannot signal ${instanceLabel(target)}: ${(error as Error).message}; run faultline as the process's user or as root`,
      );
    }
  },
  // A kill cannot be undone here: bringing the process back is the job of its supervisor.
  async revert() {},
});
