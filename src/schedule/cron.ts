/**
 * Cron expressions of schedules: 5 fields (minute precision) or 6 (with seconds first), the nicknames
 * `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`, and `@every DURATION` (`@every 30s`), read in
 * an IANA time zone. croner parses and computes; this module only turns its answers into ours.
 */
import { Cron } from 'croner';
import { parseDuration } from '../util/duration.js';
import { UserError } from '../util/errors.js';

export interface CronSchedule {
  expression: string;
  timeZone: string;
  /** the first occurrence strictly after `after`, or null when there is none */
  next(after: Date): Date | null;
  /** the latest occurrence at or before `at`, or null */
  previous(at: Date): Date | null;
}

const EVERY = /^@every\s+(\S+)$/;

/** Why a time zone is not valid, or null when it is. */
export function timeZoneError(timeZone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
    return null;
  } catch {
    return `unknown time zone ${JSON.stringify(timeZone)}; use an IANA name such as UTC, Europe/Paris or America/New_York`;
  }
}

/** Why an expression is not a valid cron, or null when it is. */
export function cronError(expression: string): string | null {
  const text = expression.trim();
  const every = EVERY.exec(text);
  if (every) {
    const ms = parseDuration(every[1] as string);
    if (ms === null) return `@every takes a duration such as 30s or 5m, got ${JSON.stringify(every[1])}`;
    if (ms < 1000) return `@every ${every[1]}: the shortest interval is 1s`;
    return null;
  }
  try {
    const cron = new Cron(text, { mode: '5-or-6-parts', timezone: 'UTC' });
    if (cron.nextRun(new Date()) === null)
      return `the cron ${JSON.stringify(text)} never fires (a date that does not exist, such as February 31?)`;
    return null;
  } catch (error) {
    const message = (error as Error).message.replace(/^CronPattern:\s*/, '').replace(/, exactly five, six, or seven.*$/, '');
    return `invalid cron ${JSON.stringify(text)}: ${message}; write 5 fields (minute hour day month weekday), 6 with seconds first, @hourly, or @every 30s`;
  }
}

export function parseCron(expression: string, timeZone = 'UTC'): CronSchedule {
  const problem = cronError(expression) ?? timeZoneError(timeZone);
  if (problem) throw new UserError(problem);
  const text = expression.trim();
  const every = EVERY.exec(text);
  if (every) {
    // anchored at the epoch, so the occurrences are the same whenever the daemon (re)starts
    const interval = parseDuration(every[1] as string) as number;
    return {
      expression: text,
      timeZone,
      next: (after) => new Date((Math.floor(after.getTime() / interval) + 1) * interval),
      previous: (at) => new Date(Math.floor(at.getTime() / interval) * interval),
    };
  }
  const cron = new Cron(text, { mode: '5-or-6-parts', timezone: timeZone });
  return {
    expression: text,
    timeZone,
    next: (after) => cron.nextRun(after),
    // croner counts a run earlier in the same second as before the reference; a run at `at` itself counts too
    previous: (at) => cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null,
  };
}
