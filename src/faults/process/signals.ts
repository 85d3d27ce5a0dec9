/** Signal names that process faults accept. */
import { constants } from 'node:os';
import { z } from '../../util/zod.js';

const SIGNAL_NAMES = Object.keys(constants.signals) as NodeJS.Signals[];

/** `SIGKILL`, `KILL` or `9`, normalised to `SIGKILL`. */
export const signalName = z.union([z.string(), z.number().int()]).transform((value, ctx): NodeJS.Signals => {
  const text = String(value).toUpperCase();
  const byNumber = SIGNAL_NAMES.find((name) => String(constants.signals[name]) === text);
  const name = byNumber ?? ((text.startsWith('SIG') ? text : `SIG${text}`) as NodeJS.Signals);
  if (!SIGNAL_NAMES.includes(name)) {
    ctx.addIssue({ code: 'custom', message: `unknown signal ${JSON.stringify(value)}; use a name like SIGKILL or SIGTERM` });
    return z.NEVER;
  }
  return name;
});

/** Sends a signal; false when the process is already gone. Other errors (EPERM) are thrown. */
export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
