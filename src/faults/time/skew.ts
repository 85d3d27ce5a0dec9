/**
 * time.skew: moves the wall clock of a process started by `faultline wrap` (faultline's preload library),
 * by an offset (`timeOffset: +1h`, `-30m`) and/or a drift (`rate: 1.01`, 1% fast), without restarting it;
 * `clockIds` chooses other clocks, as in Chaos Mesh. Revert puts the control file's previous text back
 * (normally `+0`). Only that process (and what it started) sees it.
 */
import { readFileSync } from 'node:fs';
import { instanceLabel } from '../../engine/target-instance.js';
import { strict } from '../../spec/fields.js';
import { formatDuration, parseDuration } from '../../util/duration.js';
import { UserError } from '../../util/errors.js';
import { isSameProcess } from '../../util/processes.js';
import { z } from '../../util/zod.js';
import { heldFor } from '../describe.js';
import { registerFault } from '../registry.js';
import { writeControlFile } from '../wrap/control-file.js';
import { clockOf, faketimeSpec, processStartSeconds, restoredSpec } from './faketime.js';

const offsetError = (input: unknown) => `expected a time offset such as +1h, -30m or +90s, got ${JSON.stringify(input)}`;

/** `+1h`, `-30m`, `1h30m` (plus), `0`: signed milliseconds. */
const timeOffset = z
  .string({ error: (i) => offsetError(i.input) })
  .transform((text, ctx) => {
    const m = /^\s*([+-]?)\s*(.+?)\s*$/.exec(text);
    const magnitude = m?.[2] === '0' ? 0 : parseDuration(m?.[2] ?? '');
    if (!m || magnitude === null) {
      ctx.addIssue({ code: 'custom', message: offsetError(text) });
      return z.NEVER;
    }
    return m[1] === '-' ? -magnitude : magnitude;
  })
  .meta({ description: 'A signed duration such as +1h, -30m, +90s', examples: ['+1h'] });

const rateError = (input: unknown) => `expected a rate above 0 and at most 100 (1.01 runs the clock 1% fast), got ${JSON.stringify(input)}`;

/** Linux clock ids, by the names Chaos Mesh's TimeChaos uses. */
const CLOCK_IDS = {
  CLOCK_REALTIME: 0,
  CLOCK_MONOTONIC: 1,
  CLOCK_PROCESS_CPUTIME_ID: 2,
  CLOCK_THREAD_CPUTIME_ID: 3,
  CLOCK_MONOTONIC_RAW: 4,
  CLOCK_REALTIME_COARSE: 5,
  CLOCK_MONOTONIC_COARSE: 6,
  CLOCK_BOOTTIME: 7,
  CLOCK_REALTIME_ALARM: 8,
  CLOCK_BOOTTIME_ALARM: 9,
  CLOCK_TAI: 11,
} as const;
type ClockName = keyof typeof CLOCK_IDS;
const CLOCK_NAMES = Object.keys(CLOCK_IDS) as [ClockName, ...ClockName[]];

const params = strict({
  timeOffset: timeOffset.optional().describe('how far to move the clock: +1h, -30m, +90s'),
  rate: z
    .number({ error: (i) => rateError(i.input) })
    .gt(0, { error: (i) => rateError(i.input) })
    .max(100, { error: (i) => rateError(i.input) })
    .optional()
    .describe('clock speed from the injection on: 1.01 is 1% fast, 0.99 1% slow'),
  clockIds: z
    .array(z.enum(CLOCK_NAMES, { error: (i) => `expected a clock id (${CLOCK_NAMES.join(', ')}), got ${JSON.stringify(i.input)}` }))
    .min(1, { message: 'clockIds lists at least one clock, such as CLOCK_REALTIME' })
    .optional()
    .describe('the clocks to move, as in Chaos Mesh (default CLOCK_REALTIME, which gettimeofday and time() follow)'),
}).refine((p) => p.timeOffset !== undefined || p.rate !== undefined, {
  message: 'time.skew needs timeOffset (such as +1h) or rate (such as 1.01), or both',
});

type Params = z.infer<typeof params>;

interface SkewState {
  controlFile: string;
  /** the control file's text before the skew, written back on revert */
  previous: string;
  /** the process under the preload library, for reports */
  pid: number;
  startTime?: string;
}

function describeSkew(p: Params): string {
  const parts: string[] = [];
  if (p.timeOffset !== undefined) parts.push(`by ${p.timeOffset < 0 ? '-' : '+'}${formatDuration(Math.abs(p.timeOffset))}`);
  if (p.rate !== undefined) parts.push(`at ${p.rate}x speed`);
  const clocks = p.clockIds ? ` (${p.clockIds.join(', ')})` : '';
  return parts.join(' and ') + clocks;
}

registerFault<Params, SkewState>({
  name: 'time.skew',
  summary: 'move the wall clock of a process started under `faultline wrap`, and back',
  example: { timeOffset: '+1h' },
  params,
  needs: 'process',
  describe: (p, target, durationMs) =>
    `move the clock of ${instanceLabel(target)} ${describeSkew(p)} ${heldFor(durationMs)}, then back (clock control file of faultline wrap)`,
  async inject({ params: p, target, journal }) {
    const label = instanceLabel(target);
    const clock = clockOf(target.pid as number, label);
    let previous: string;
    try {
      previous = readFileSync(clock.controlFile, 'utf8');
    } catch {
      throw new UserError(
        `time.skew: the clock control file ${clock.controlFile} of ${label} is gone (was faultline wrap killed?); restart the process under faultline wrap`,
      );
    }
    journal({ controlFile: clock.controlFile, previous, pid: clock.pid, startTime: target.startTime });
    const spec = faketimeSpec(
      (p.timeOffset ?? 0) / 1000,
      p.rate ?? 1,
      p.rate === undefined ? null : processStartSeconds(clock.pid),
      Date.now() / 1000,
      (p.clockIds ?? []).map((name) => CLOCK_IDS[name]),
    );
    if (!(await writeControlFile(clock.controlFile, spec)))
      throw new UserError(`time.skew: the clock control file ${clock.controlFile} vanished`);
    if (!isSameProcess(clock.pid, undefined)) throw new UserError(`time.skew: ${label} exited while its clock was being moved`);
  },
  async revert({ controlFile, previous }) {
    // A missing file means `faultline wrap` has ended with its process: there is no clock left to restore.
    await writeControlFile(controlFile, restoredSpec(previous));
  },
});
