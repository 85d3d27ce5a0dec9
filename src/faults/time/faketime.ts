/**
 * libfaketime, as faultline uses it: a process started by `faultline wrap` runs with libfaketime preloaded
 * and reads its clock offset from a control file that faultline owns (FAKETIME_TIMESTAMP_FILE, re-read at
 * every clock call: FAKETIME_NO_CACHE=1). Only the wall clock moves: FAKETIME_DONT_FAKE_MONOTONIC=1 keeps
 * the monotonic clock true, or Node's timers would stall when the offset goes back to +0.
 *
 * The control file is found from the process itself, in /proc/PID/environ (FAULTLINE_CLOCK_FILE), so no
 * other state is kept. When the target is the `faultline wrap` process (a supervisor's pid file names it,
 * or systemd's MainPID), its wrapped child is found by FAULTLINE_CLOCK_WRAPPER=<wrapper pid>.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { UserError } from '../../util/errors.js';

export const CLOCK_FILE_ENV = 'FAULTLINE_CLOCK_FILE';
export const CLOCK_WRAPPER_ENV = 'FAULTLINE_CLOCK_WRAPPER';
export const LIBFAKETIME_ENV = 'FAULTLINE_LIBFAKETIME';

const LIBRARY_CANDIDATES =
  process.platform === 'darwin'
    ? ['/opt/homebrew/lib/faketime/libfaketime.1.dylib', '/usr/local/lib/faketime/libfaketime.1.dylib']
    : [
        '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
        '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
        '/usr/lib/arm-linux-gnueabihf/faketime/libfaketime.so.1',
        '/usr/lib/i386-linux-gnu/faketime/libfaketime.so.1',
        '/usr/lib64/faketime/libfaketime.so.1',
        '/usr/lib/faketime/libfaketime.so.1',
        '/usr/local/lib/faketime/libfaketime.so.1',
      ];

/** The libfaketime library (FAULTLINE_LIBFAKETIME, else the usual places); a UserError when there is none. */
export function findLibfaketime(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[LIBFAKETIME_ENV];
  if (override) {
    if (existsSync(override)) return override;
    throw new UserError(`${LIBFAKETIME_ENV}=${override}: no such file; point it at libfaketime.so.1, or unset it`);
  }
  const found = LIBRARY_CANDIDATES.find((file) => existsSync(file));
  if (found) return found;
  throw new UserError(
    'libfaketime is not installed, and time faults need it; install it (Debian/Ubuntu: apt-get install libfaketime; macOS: brew install libfaketime) or set FAULTLINE_LIBFAKETIME to the library',
  );
}

/** The variables that put a command under libfaketime with `controlFile` as its clock. */
export function clockEnvironment(library: string, controlFile: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  delete env.FAKETIME; // a FAKETIME in faultline's own environment would override the control file
  const preloadVar = process.platform === 'darwin' ? 'DYLD_INSERT_LIBRARIES' : 'LD_PRELOAD';
  const separator = process.platform === 'darwin' ? ':' : ' ';
  env[preloadVar] = base[preloadVar] ? `${library}${separator}${base[preloadVar]}` : library;
  if (process.platform === 'darwin') env.DYLD_FORCE_FLAT_NAMESPACE = '1';
  env.FAKETIME_TIMESTAMP_FILE = controlFile;
  env.FAKETIME_NO_CACHE = '1';
  env.FAKETIME_DONT_FAKE_MONOTONIC = '1';
  env[CLOCK_FILE_ENV] = controlFile;
  env[CLOCK_WRAPPER_ENV] = String(process.pid);
  return env;
}

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

export interface ClockOf {
  controlFile: string;
  /** the process that runs under libfaketime: the target, or the child of the `faultline wrap` target */
  pid: number;
}

/** The clock control file of a process started by `faultline wrap`; a UserError saying how to start it otherwise. */
export function clockOf(pid: number, label: string): ClockOf {
  if (process.platform !== 'linux') {
    throw new UserError(`time.skew finds a process's clock in /proc, which only Linux has; ${label} cannot be skewed on this system`);
  }
  const env = environOf(pid);
  if (env === null) {
    throw new UserError(
      `time.skew: cannot read /proc/${pid}/environ of ${label}; run faultline as the process's user or as root, and check that it still runs`,
    );
  }
  const own = env.get(CLOCK_FILE_ENV);
  if (own) return { controlFile: own, pid };
  const wrapped = childrenOf(pid).filter((child) => environOf(child)?.get(CLOCK_WRAPPER_ENV) === String(pid));
  for (const child of wrapped) {
    const file = environOf(child)?.get(CLOCK_FILE_ENV);
    if (file) return { controlFile: file, pid: child };
  }
  throw new UserError(
    `time.skew: ${label} was not started under faultline wrap, so its clock cannot be moved; start it as \`faultline wrap -- COMMAND...\` (libfaketime must be installed)`,
  );
}

/** Seconds since the epoch at which a process started (Linux: boot time + start ticks). */
export function processStartSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(btime)) return null;
    return btime + ticks / clockTicksPerSecond();
  } catch {
    return null;
  }
}

let ticksPerSecond: number | undefined;
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * The control file's text for an offset (seconds) and a rate. libfaketime's rate (`x1.01`) runs from the
 * process's start, not from now: set at run time it would first jump by (age × (rate − 1)). The offset
 * compensates that jump, so the drift starts at the moment of injection. The rate is always written
 * (`x1` for none): libfaketime keeps the last rate it read when a new text has none.
 */
export function faketimeSpec(offsetSeconds: number, rate: number, startSeconds: number | null, nowSeconds = Date.now() / 1000): string {
  const compensation = rate === 1 || startSeconds === null ? 0 : -(nowSeconds - startSeconds) * (rate - 1);
  const total = offsetSeconds + compensation;
  const text = Number.isInteger(total) ? String(total) : total.toFixed(3);
  return `${total >= 0 ? '+' : ''}${text} x${rate}`;
}

/** The text to restore: the previous one, with an explicit rate (see faketimeSpec). */
export function restoredSpec(previous: string): string {
  const text = previous.trim() || '+0';
  return /(^|\s)x[\d.]+/.test(text) ? text : `${text} x1`;
}

/** Replaces the control file's text atomically (libfaketime may read it at any moment); false if it is gone. */
export function writeControlFile(file: string, text: string): boolean {
  if (!existsSync(file)) return false;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${text}\n`);
  renameSync(temp, file);
  return true;
}
