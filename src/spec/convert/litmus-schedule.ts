/**
 * A faultline Schedule as a Litmus ChaosSchedule (litmuschaos/chaos-scheduler): the inverse of the import.
 * The scheduler repeats an engine every N minutes or every N hours (`minChaosInterval`), inside a time range,
 * on work days and in work hours. A cron that is not one of those repetitions has no equivalent and is
 * refused with the reason (Chaos Mesh's Schedule takes any cron); what the ChaosSchedule cannot hold is noted.
 */
import { DAY_NAMES } from '../../schedule/window.js';
import { UserError } from '../../util/errors.js';
import type { ScheduleDefinition } from '../load.js';

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are free-form
type Doc = Record<string, any>;

const DEFAULT_STARTING_DEADLINE_MS = 60_000;

/** `*\/15 * * * *` -> every 15th minute; `30 *\/2 * * *` -> every 2nd hour at minute 30; otherwise null. */
function minChaosIntervalOf(cron: string): Doc | null {
  let fields = cron.trim().split(/\s+/);
  if (cron.trim() === '@hourly') fields = ['0', '*', '*', '*', '*'];
  if (fields.length === 6 && fields[0] === '0') fields = fields.slice(1); // seconds first, at second 0
  if (fields.length !== 5 || fields.slice(2).some((f) => f !== '*')) return null;
  const [minute, hour] = fields as [string, string];
  const every = (field: string, max: number): number | null => {
    if (field === '*') return 1;
    const m = /^\*\/(\d+)$/.exec(field);
    const n = m ? Number(m[1]) : Number.NaN;
    return n >= 1 && n <= max ? n : null;
  };
  if (hour === '*') {
    const n = every(minute, 59);
    if (n !== null) return { minute: { everyNthMinute: n } };
  }
  if (/^\d+$/.test(minute) && Number(minute) <= 59) {
    const n = every(hour, 23);
    if (n !== null) return { hour: { everyNthHour: n, minuteOfTheHour: Number(minute) } };
  }
  return null;
}

/** Work hours in minutes after midnight as Litmus's inclusive hours (`09:00-18:00` -> `9-17`), or null. */
function includedHoursOf(hours: { start: number; end: number }): string | null {
  const endsAtMidnight = hours.end === 23 * 60 + 59;
  if (hours.start % 60 !== 0 || (hours.end % 60 !== 0 && !endsAtMidnight) || hours.end <= hours.start) return null;
  const last = endsAtMidnight ? 23 : hours.end / 60 - 1;
  return `${hours.start / 60}-${last}`;
}

/** The ChaosSchedule of `schedule`, running `engine` (an exported ChaosEngine); notes say what it cannot hold. */
export function chaosScheduleOf(schedule: ScheduleDefinition, engine: Doc, namespace: string, notes: string[]): Doc {
  const interval = minChaosIntervalOf(schedule.cron);
  if (!interval) {
    throw new UserError(
      `Schedule ${schedule.name}: cron "${schedule.cron}" has no Litmus ChaosSchedule equivalent (minChaosInterval repeats every N minutes, "*/N * * * *", or every N hours, "M */N * * *"); use one of those, or export --to chaos-mesh, which keeps any cron`,
    );
  }
  const repeat: Doc = { properties: { minChaosInterval: interval } };
  const w = schedule.window;
  if (w.start !== undefined || w.end !== undefined) {
    repeat.timeRange = {
      ...(w.start !== undefined ? { startTime: new Date(w.start).toISOString() } : {}),
      ...(w.end !== undefined ? { endTime: new Date(w.end).toISOString() } : {}),
    };
  }
  if (w.workDays) {
    const days = [...w.workDays].sort((a, b) => a - b).map((d) => DAY_NAMES[d]);
    repeat.workDays = { includedDays: days.join(',') };
  }
  if (w.workHours) {
    const included = includedHoursOf(w.workHours);
    if (included) repeat.workHours = { includedHours: included };
    else notes.push('window.workHours not exported: Litmus work hours are whole hours within one day (9-17)');
  }
  if (w.minIntervalMs) notes.push('window.minInterval not exported: the ChaosSchedule has no minimum interval beyond its repetition');
  if (schedule.timeZone !== 'UTC')
    notes.push(`timeZone ${schedule.timeZone} not exported: the scheduler reads the time range and work hours in its own time zone`);
  if (schedule.startingDeadlineMs !== DEFAULT_STARTING_DEADLINE_MS)
    notes.push('startingDeadline not exported: the ChaosSchedule has no deadline for a late start');
  return {
    apiVersion: 'litmuschaos.io/v1alpha1',
    kind: 'ChaosSchedule',
    metadata: { name: engine.metadata.name, namespace },
    spec: {
      schedule: { repeat },
      concurrencyPolicy: schedule.concurrencyPolicy,
      scheduleState: schedule.suspend ? 'halt' : 'active',
      engineTemplateSpec: engine.spec,
    },
  };
}
