/**
 * The `freeze` guard: no harm inside a freeze window. A window is either recurring (a cron pattern
 * that opens it and a duration it lasts) or a date range (`from` .. `to`), read in its time zone
 * (default UTC), so "09:00 on weekdays in Europe/Paris" stays 09:00 local across daylight saving.
 *
 *   freeze:
 *     - { name: business hours, cron: "0 9 * * 1-5", duration: 8h, timezone: Europe/Paris }
 *     - { name: release freeze, from: "2026-12-20T00:00", to: "2027-01-03T00:00" }
 *
 * A window is half-open: it is active from its start, inclusive, to its end, exclusive. A duration is
 * elapsed time, so a window that spans a daylight-saving change still lasts exactly its duration.
 */
import { Cron } from 'croner';
import { duration, strict } from '../spec/fields.js';
import { didYouMean } from '../util/suggest.js';
import { z } from '../util/zod.js';
import { registerGuardType } from './registry.js';

// ---------- time zones ----------

/** True when `timeZone` is a name the runtime's time-zone database knows (IANA names, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

function knownTimeZones(): string[] {
  try {
    return [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  } catch {
    return ['UTC'];
  }
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of `instant` in `timeZone`. */
function wallClock(instant: number, timeZone: string) {
  let formatter = partsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, formatter);
  }
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(instant))) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  const field = (name: string) => fields[name] ?? 0;
  return {
    year: field('year'),
    month: field('month'),
    day: field('day'),
    hour: field('hour'),
    minute: field('minute'),
    second: field('second'),
  };
}

/** The offset of `timeZone` from UTC at `instant`, in milliseconds (Europe/Paris in winter: +3_600_000). */
function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const w = wallClock(whole, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
}

/** `2027-01-03T00:00` (seconds only when not zero), as the clock on the wall of `timeZone` shows `instant`. */
export function formatInZone(instant: Date, timeZone: string): string {
  const w = wallClock(instant.getTime(), timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(w.hour)}:${two(w.minute)}${w.second ? `:${two(w.second)}` : ''}`;
  return `${String(w.year).padStart(4, '0')}-${two(w.month)}-${two(w.day)}T${time}`;
}

// ---------- local date-times ----------

const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The instant of a date-time written in a window: `2026-12-20`, `2026-12-20T00:00`, `2026-12-20T00:00:30` are
 * local to `timeZone`; with an offset (`Z`, `+01:00`) the offset decides. A local time that does not exist (in
 * the gap of a spring-forward change) moves forward by the gap; one that occurs twice (fall-back) is the
 * earlier, as Temporal's "compatible" disambiguation does. Null when the text is not such a date-time.
 */
export function parseZonedDateTime(text: string, timeZone: string): Date | null {
  const m = DATE_TIME_RE.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const offsetText = m[8];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (offsetText !== undefined) {
    if (offsetText === 'Z') return new Date(asUtc);
    const sign = offsetText.startsWith('-') ? -1 : 1;
    const digits = offsetText.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2));
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    return new Date(asUtc - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  }
  if (!isTimeZone(timeZone)) return null;
  // The zone's offsets a day either side bracket any one change (no zone changes twice within two days).
  const before = offsetAt(asUtc - 86_400_000, timeZone);
  const after = offsetAt(asUtc + 86_400_000, timeZone);
  const valid = [asUtc - before, asUtc - after].filter((instant) => offsetAt(instant, timeZone) === asUtc - instant);
  if (valid.length) return new Date(Math.min(...valid));
  return new Date(asUtc - before); // in a gap: the wall clock jumped over it; keep the elapsed time from before it
}

// ---------- the configuration ----------

const timeZoneSchema = z
  .string()
  .refine(isTimeZone, {
    error: (issue) => {
      const name = String(issue.input);
      return `unknown time zone ${JSON.stringify(name)}${didYouMean(name, knownTimeZones())}; use an IANA name such as Europe/Paris`;
    },
  })
  .describe('IANA time zone the window is read in, such as Europe/Paris (default UTC)');

/** croner's complaint about a pattern, or null when it accepts it. */
function cronError(pattern: string): string | null {
  try {
    new Cron(pattern); // without a function nothing is scheduled
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const cronSchema = z
  .string()
  .superRefine((pattern, ctx) => {
    const problem = cronError(pattern);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `invalid cron pattern ${JSON.stringify(pattern)}: ${problem}` });
  })
  .describe('cron pattern at which the window opens, such as "0 9 * * 1-5" (minute hour day-of-month month day-of-week)');

const dateTimeSchema = z.string().refine((text) => parseZonedDateTime(text, 'UTC') !== null, {
  error: (issue) =>
    `expected a date-time such as 2026-12-20T00:00 (read in the window's timezone) or 2026-12-20T00:00+01:00, got ${JSON.stringify(issue.input)}`,
});

/** A freeze window as written, once checked. */
export type FreezeWindow = { name?: string; timezone: string } & ({ cron: string; duration: number } | { from: string; to: string });

const freezeWindowSchema = strict({
  name: z.string().min(1).optional().describe('shown when the window refuses a run'),
  cron: cronSchema.optional(),
  duration: duration.optional().describe('how long the window stays open after each cron occurrence, such as 8h'),
  from: dateTimeSchema.optional().describe('start of a date range, inclusive'),
  to: dateTimeSchema.optional().describe('end of a date range, exclusive'),
  timezone: timeZoneSchema.default('UTC'),
})
  .superRefine((w, ctx) => {
    const recurring = w.cron !== undefined || w.duration !== undefined;
    const range = w.from !== undefined || w.to !== undefined;
    if (recurring && range) {
      ctx.addIssue({
        code: 'custom',
        path: [w.cron !== undefined ? 'cron' : 'duration'],
        message: 'a freeze window is either recurring (cron and duration) or a date range (from and to), not both',
      });
      return;
    }
    if (!recurring && !range) {
      ctx.addIssue({
        code: 'custom',
        message: 'a freeze window needs either cron and duration (a recurring window) or from and to (a date range)',
      });
      return;
    }
    if (recurring) {
      if (w.cron === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['cron'],
          message: 'a window with a duration needs a cron pattern that opens it, such as "0 9 * * 1-5"',
        });
      if (w.duration === undefined)
        ctx.addIssue({ code: 'custom', path: ['duration'], message: 'a cron window needs a duration: how long it stays open, such as 8h' });
      else if (w.duration <= 0) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'a freeze window must last longer than 0s' });
      return;
    }
    if (w.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'a date range needs from: when the freeze starts' });
    if (w.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a date range needs to: when the freeze ends' });
    if (w.from === undefined || w.to === undefined) return;
    const from = parseZonedDateTime(w.from, w.timezone);
    const to = parseZonedDateTime(w.to, w.timezone);
    if (from && to && from.getTime() >= to.getTime())
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `to (${formatInZone(to, w.timezone)} ${w.timezone}) must be after from (${formatInZone(from, w.timezone)} ${w.timezone})`,
      });
  })
  .transform((w): FreezeWindow => {
    const named = w.name !== undefined ? { name: w.name } : {};
    return w.cron !== undefined
      ? { ...named, cron: w.cron, duration: w.duration as number, timezone: w.timezone }
      : { ...named, from: w.from as string, to: w.to as string, timezone: w.timezone };
  });

export const freezeConfigSchema = z
  .array(freezeWindowSchema)
  .describe(
    'windows in which no experiment may start: recurring { cron, duration } or ranges { from, to }, each with an optional timezone',
  );

// ---------- judging ----------

/** How a window is named in messages: its name, else its cron pattern or range. */
export function freezeWindowLabel(window: FreezeWindow): string {
  if (window.name !== undefined) return window.name;
  return 'cron' in window ? window.cron : `${window.from} to ${window.to}`;
}

/** One interval of a window: [start, end). */
interface Opening {
  start: number;
  end: number;
}

function cronOf(window: FreezeWindow & { cron: string }): Cron {
  return new Cron(window.cron, { timezone: window.timezone });
}

/** The opening of `window` with the latest start at or before `instant` (it may have closed already). */
function latestOpening(window: FreezeWindow, instant: number): Opening | null {
  if ('cron' in window) {
    const [start] = cronOf(window).previousRuns(1, new Date(instant + 1)); // previousRuns excludes its reference
    return start ? { start: start.getTime(), end: start.getTime() + window.duration } : null;
  }
  const start = parseZonedDateTime(window.from, window.timezone);
  const end = parseZonedDateTime(window.to, window.timezone);
  if (!start || !end || start.getTime() > instant) return null;
  return { start: start.getTime(), end: end.getTime() };
}

/** The next opening of `window` after `instant`. */
function nextOpening(window: FreezeWindow, instant: number): number | null {
  if ('cron' in window) return cronOf(window).nextRun(new Date(instant))?.getTime() ?? null;
  const start = parseZonedDateTime(window.from, window.timezone);
  return start && start.getTime() > instant ? start.getTime() : null;
}

export interface ActiveFreeze {
  window: FreezeWindow;
  /** the position of the window in the list */
  index: number;
  label: string;
  /** when the occurrence of the window that is open now started */
  start: Date;
  /** when no window is open any more: windows that overlap or touch this one are chained */
  until: Date;
  /** false when the chain of windows was too long to follow to its end: `until` is a lower bound */
  untilExact: boolean;
}

const MAX_CHAIN = 200;

/**
 * The freeze window open at `now` (the one that stays open longest when several are), or undefined when
 * none is. Pure apart from reading the time-zone database: `now` is the only clock.
 */
export function activeFreezeWindow(windows: readonly FreezeWindow[], now: Date): ActiveFreeze | undefined {
  const at = now.getTime();
  let active: { index: number; opening: Opening } | undefined;
  for (const [index, window] of windows.entries()) {
    const opening = latestOpening(window, at);
    if (opening && opening.start <= at && at < opening.end && (!active || opening.end > active.opening.end)) active = { index, opening };
  }
  if (!active) return undefined;
  let until = active.opening.end;
  let untilExact = false;
  for (let step = 0; step < MAX_CHAIN; step++) {
    let extended = until;
    for (const window of windows) {
      const opening = latestOpening(window, until);
      if (opening && opening.end > extended) extended = opening.end;
    }
    if (extended === until) {
      untilExact = true;
      break;
    }
    until = extended;
  }
  const window = windows[active.index] as FreezeWindow;
  return {
    window,
    index: active.index,
    label: freezeWindowLabel(window),
    start: new Date(active.opening.start),
    until: new Date(until),
    untilExact,
  };
}

/** The next time a window opens after `now`, when one does. */
export function nextFreezeWindow(
  windows: readonly FreezeWindow[],
  now: Date,
): { window: FreezeWindow; label: string; start: Date } | undefined {
  let next: { window: FreezeWindow; start: number } | undefined;
  for (const window of windows) {
    const start = nextOpening(window, now.getTime());
    if (start !== null && (!next || start < next.start)) next = { window, start };
  }
  return next && { window: next.window, label: freezeWindowLabel(next.window), start: new Date(next.start) };
}

registerGuardType<FreezeWindow[]>({
  key: 'freeze',
  summary: 'refuses to start inside a freeze window (recurring cron windows or date ranges, in a time zone)',
  config: freezeConfigSchema,
  async check(windows, ctx) {
    const active = activeFreezeWindow(windows, ctx.now);
    if (active) {
      const { timezone } = active.window;
      const until = `${active.untilExact ? '' : 'at least '}${formatInZone(active.until, timezone)} ${timezone}`;
      return { ok: false, detail: `inside freeze window ${JSON.stringify(active.label)} until ${until}` };
    }
    const count = `${windows.length} freeze window${windows.length === 1 ? '' : 's'}`;
    const next = nextFreezeWindow(windows, ctx.now);
    const after = next
      ? `; the next, ${JSON.stringify(next.label)}, opens ${formatInZone(next.start, next.window.timezone)} ${next.window.timezone}`
      : '';
    return { ok: true, detail: `outside ${windows.length === 1 ? 'the' : 'all'} ${count}${after}` };
  },
});
