/**
 * When a schedule may start a run (Litmus ChaosSchedule's `repeat` properties): an absolute time range,
 * work days and work hours read in the schedule's time zone, and a minimum interval between two runs.
 */

export interface ScheduleWindow {
  /** epoch ms; runs start at or after it */
  start?: number;
  /** epoch ms; runs start before it */
  end?: number;
  /** 0 = Sunday ... 6 = Saturday */
  workDays?: number[];
  /** minutes after midnight; an end before the start crosses midnight (22:00-06:00) */
  workHours?: { start: number; end: number };
  minIntervalMs?: number;
}

export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** `Mon-Fri`, `Mon,Wed,Fri`, `[Mon, Tue]` (names of three letters or more, any case) to day numbers; a string names what is wrong. */
export function parseWorkDays(input: string | readonly string[]): number[] | string {
  const parts = (typeof input === 'string' ? input.split(',') : [...input]).map((p) => p.trim()).filter(Boolean);
  if (!parts.length) return 'expected at least one day, such as Mon-Fri or [Mon, Wed, Fri]';
  const days = new Set<number>();
  const dayOf = (name: string): number | undefined => {
    const i = DAY_NAMES.findIndex((d) => name.toLowerCase().startsWith(d.toLowerCase()) && name.length >= 3);
    return i < 0 ? undefined : i;
  };
  for (const part of parts) {
    const [from, to, extra] = part.split('-').map((p) => p.trim());
    const a = dayOf(from ?? '');
    const b = to === undefined ? a : dayOf(to);
    if (a === undefined || b === undefined || extra !== undefined)
      return `unknown day ${JSON.stringify(part)}; write days as ${DAY_NAMES.join(', ')}`;
    // a range may wrap around the week: Fri-Mon
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return [...days].sort((x, y) => x - y);
}

/** `09:00-17:30` or `9-17` to minutes after midnight; a string names what is wrong. */
export function parseWorkHours(input: string): { start: number; end: number } | string {
  const match = /^\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*$/.exec(input);
  const problem = `expected hours such as 09:00-17:00 or 9-17, got ${JSON.stringify(input)}`;
  if (!match) return problem;
  const start = Number(match[1]) * 60 + Number(match[2] ?? 0);
  const end = Number(match[3]) * 60 + Number(match[4] ?? 0);
  if (start > 24 * 60 || end > 24 * 60 || Number(match[2] ?? 0) > 59 || Number(match[4] ?? 0) > 59) return problem;
  if (start === end) return `work hours ${input} are empty; the start and the end must differ`;
  return { start, end };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Day of week and minute of day of `at` in `timeZone`. */
export function zonedClock(at: Date, timeZone: string): { day: number; minute: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const day = DAY_NAMES.indexOf(parts.weekday as (typeof DAY_NAMES)[number]);
  return { day, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Why the window does not allow a run to start at `at`, or null when it does (minInterval aside). */
export function outsideWindow(window: ScheduleWindow, at: Date, timeZone: string): string | null {
  const t = at.getTime();
  if (window.start !== undefined && t < window.start) return `before the window opens (${new Date(window.start).toISOString()})`;
  if (window.end !== undefined && t >= window.end) return `after the window closed (${new Date(window.end).toISOString()})`;
  if (!window.workDays && !window.workHours) return null;
  const { day, minute } = zonedClock(at, timeZone);
  if (window.workDays && !window.workDays.includes(day))
    return `${DAY_NAMES[day]} is not a work day (${window.workDays.map((d) => DAY_NAMES[d]).join(',')})`;
  if (window.workHours) {
    const { start, end } = window.workHours;
    const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
    if (!inside) return `${hhmm(minute)} ${timeZone} is outside the work hours ${hhmm(start)}-${hhmm(end)}`;
  }
  return null;
}

/** Why minInterval refuses a run at `at` after a run started at `lastStart`, or null. */
export function tooSoon(window: ScheduleWindow, at: Date, lastStart: number | null): string | null {
  if (!window.minIntervalMs || lastStart === null) return null;
  const gap = at.getTime() - lastStart;
  return gap < window.minIntervalMs ? `the last run started ${Math.round(gap / 1000)}s ago, less than minInterval` : null;
}

export function describeWindow(window: ScheduleWindow): string {
  const parts: string[] = [];
  if (window.start !== undefined) parts.push(`from ${new Date(window.start).toISOString()}`);
  if (window.end !== undefined) parts.push(`until ${new Date(window.end).toISOString()}`);
  if (window.workDays) parts.push(window.workDays.map((d) => DAY_NAMES[d]).join(','));
  if (window.workHours) parts.push(`${hhmm(window.workHours.start)}-${hhmm(window.workHours.end)}`);
  if (window.minIntervalMs) parts.push(`at least ${Math.round(window.minIntervalMs / 1000)}s apart`);
  return parts.join(' ');
}
