/**
 * The clock control file of a process started by `faultline wrap` (FAULTLINE_CLOCK_FILE), read by
 * faultline's preload library (native/clock.c) at most every 50ms. Its text keeps libfaketime's relative
 * syntax: `+3600 x1` (offset in seconds, then speed), optionally `clocks=0,1` (the clock ids moved;
 * default CLOCK_REALTIME). Only the listed clocks move: sleeps and timers on the monotonic clock keep
 * their real meaning, so no runtime stalls or fails when the offset comes and goes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type WrappedControl, wrappedControlOf } from '../wrap/control-file.js';
import { CLOCK_FILE_ENV } from '../wrap/preload.js';

/** The clock control file of a process started by `faultline wrap`; a UserError saying how to start it otherwise. */
export function clockOf(pid: number, label: string): WrappedControl {
  return wrappedControlOf(pid, label, CLOCK_FILE_ENV, 'time.skew', 'its clock cannot be moved');
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
 * The control file's text for an offset (seconds), a rate and the clock ids to move. The rate (`x1.01`)
 * runs from the process's start, not from now (libfaketime's meaning, kept by our library): set at run
 * time it would first jump by (age × (rate − 1)). The offset compensates that jump, so the drift starts at
 * the moment of injection. The rate is always written (`x1` for none).
 */
export function faketimeSpec(
  offsetSeconds: number,
  rate: number,
  startSeconds: number | null,
  nowSeconds = Date.now() / 1000,
  clockIds: readonly number[] = [],
): string {
  const compensation = rate === 1 || startSeconds === null ? 0 : -(nowSeconds - startSeconds) * (rate - 1);
  const total = offsetSeconds + compensation;
  const text = Number.isInteger(total) ? String(total) : total.toFixed(3);
  const clocks = clockIds.length ? ` clocks=${clockIds.join(',')}` : '';
  return `${total >= 0 ? '+' : ''}${text} x${rate}${clocks}`;
}

/** The text to restore: the previous one, with an explicit rate (see faketimeSpec). */
export function restoredSpec(previous: string): string {
  const text = previous.trim() || '+0';
  return /(^|\s)x[\d.]+/.test(text) ? text : `${text} x1`;
}
