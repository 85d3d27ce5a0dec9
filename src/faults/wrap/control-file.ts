/**
 * The control files of a process started by `faultline wrap`, found from the process itself in
 * /proc/PID/environ, so no other state is kept. When the target is the `faultline wrap` process (a
 * supervisor's pid file names it, or systemd's MainPID), its wrapped child is found by
 * FAULTLINE_CLOCK_WRAPPER=<wrapper pid>.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { UserError } from '../../util/errors.js';
import { sleep } from '../../util/sleep.js';
import { WRAPPER_ENV } from './preload.js';

function environOf(pid: number): Map<string, string> | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return null;
  }
  const env = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {}
  }
  return children;
}

export interface WrappedControl {
  controlFile: string;
  /** the process that runs under the library: the target, or the child of the `faultline wrap` target */
  pid: number;
}

/**
 * The control file named by `variable` in the environment of a process started by `faultline wrap`;
 * a UserError (naming `fault`, `label` and what cannot be done: `unreachable`) saying how to start it otherwise.
 */
export function wrappedControlOf(pid: number, label: string, variable: string, fault: string, unreachable: string): WrappedControl {
  if (process.platform !== 'linux') {
    throw new UserError(
      `${fault} finds a process's control file in /proc, which only Linux has; ${label} cannot be reached on this system`,
    );
  }
  const env = environOf(pid);
  if (env === null) {
    throw new UserError(
      `${fault}: cannot read /proc/${pid}/environ of ${label}; run faultline as the process's user or as root, and check that it still runs`,
    );
  }
  const own = env.get(variable);
  if (own) return { controlFile: own, pid };
  const wrapped = childrenOf(pid).filter((child) => environOf(child)?.get(WRAPPER_ENV) === String(pid));
  for (const child of wrapped) {
    const file = environOf(child)?.get(variable);
    if (file) return { controlFile: file, pid: child };
  }
  throw new UserError(
    `${fault}: ${label} was not started under faultline wrap, so ${unreachable}; start it as \`faultline wrap -- COMMAND...\``,
  );
}

/**
 * How long the preload library may go on with the old text: it looks at its control files at most every
 * 50ms (CONTROL_INTERVAL_NS in native/control.h), on a coarse clock, and a busy machine delays it more.
 */
const PICKUP_MS = 120;

/**
 * Replaces a control file's text atomically (the library may read it at any moment), then waits until the
 * library has looked again, so that the new text is in force when this returns: an injection is in effect
 * and a revert is undone for the next call the process makes. False if the file is gone.
 */
export async function writeControlFile(file: string, text: string): Promise<boolean> {
  if (!existsSync(file)) return false;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text.endsWith('\n') || text === '' ? text : `${text}\n`);
  renameSync(temp, file);
  await sleep(PICKUP_MS);
  return true;
}
