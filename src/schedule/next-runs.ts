/** The occurrences of a schedule that its window allows: what `next run` shows and when the timer is set. */
import type { ScheduleDefinition } from '../spec/load.js';
import { type CronSchedule, parseCron } from './cron.js';
import { outsideWindow, type ScheduleWindow } from './window.js';

/** How many cron occurrences are looked at to find allowed ones (a narrow window on a per-second cron). */
const SCAN_LIMIT = 20_000;

/** Up to `count` occurrences after `from` that the window allows (minInterval aside), in order. */
export function upcoming(cron: CronSchedule, window: ScheduleWindow, from: Date, count: number): Date[] {
  const out: Date[] = [];
  let at: Date | null = window.start !== undefined && window.start > from.getTime() ? new Date(window.start - 1) : from;
  for (let scanned = 0; at && out.length < count && scanned < SCAN_LIMIT; scanned++) {
    at = cron.next(at);
    if (!at || (window.end !== undefined && at.getTime() >= window.end)) break;
    if (outsideWindow(window, at, cron.timeZone) === null) {
      out.push(at);
      continue;
    }
    // outside the work days or hours: look again from when the window next opens (a per-second cron
    // would otherwise scan a whole night occurrence by occurrence)
    const opening = nextOpening(window, at, cron.timeZone);
    if (!opening) break;
    if (opening.getTime() - 1 > at.getTime()) at = new Date(opening.getTime() - 1);
  }
  return out;
}

/** The first whole minute after `at` when the window allows runs, within eight days; null when none. */
function nextOpening(window: ScheduleWindow, at: Date, timeZone: string): Date | null {
  let t = Math.floor(at.getTime() / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 8 * 24 * 60; i++, t += 60_000) {
    if (window.end !== undefined && t >= window.end) return null;
    if (outsideWindow(window, new Date(t), timeZone) === null) return new Date(t);
  }
  return null;
}

/** The occurrences in (after, until]: how many, the latest and the one before it (for catching up after a restart). */
export function missedBetween(
  cron: CronSchedule,
  after: Date,
  until: Date,
  limit = 10_000,
): { count: number; latest: Date | null; previous: Date | null; more: boolean } {
  const latest = cron.previous(until);
  if (!latest || latest.getTime() <= after.getTime()) return { count: 0, latest: null, previous: null, more: false };
  const previous = cron.previous(new Date(latest.getTime() - 1));
  let count = 0;
  let at: Date | null = after;
  while (count < limit) {
    at = cron.next(at);
    if (!at || at.getTime() > until.getTime()) break;
    count++;
  }
  return { count, latest, previous: previous && previous.getTime() > after.getTime() ? previous : null, more: count >= limit };
}

/** The next `count` run times of a Schedule document that its window allows (what the dashboard shows). */
export function nextRunTimes(schedule: Pick<ScheduleDefinition, 'cron' | 'timeZone' | 'window'>, count = 5, from = new Date()): Date[] {
  return upcoming(parseCron(schedule.cron, schedule.timeZone), schedule.window, from, count);
}
