// The `freeze` guard: no harm inside a freeze window. Windows recur by cron (in a time zone, across
// daylight-saving changes) or are date ranges; every `now` here is fixed, so the verdicts do not depend on the day.
import { describe, expect, it } from 'vitest';
import { activeFreezeWindow, type FreezeWindow, parseZonedDateTime } from '../src/guards/freeze.js';
import { findGuardType, type GuardType, type GuardVerdict } from '../src/guards/index.js';

const guard = findGuardType('freeze') as GuardType;

/** The config as the experiment loader would give it to the guard. */
function parse(windows: unknown): FreezeWindow[] {
  return guard.config.parse(windows) as FreezeWindow[];
}

/** The issues (path and message) of a config the schema refuses. */
function issues(windows: unknown): { path: string; message: string }[] {
  const result = guard.config.safeParse(windows);
  expect(result.success, 'the config should be refused').toBe(false);
  return (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

function check(windows: unknown, now: string): Promise<GuardVerdict> {
  return guard.check(parse(windows), { now: new Date(now), env: {}, dryRun: false, signal: new AbortController().signal });
}

const businessHours = [{ name: 'business hours', cron: '0 9 * * 1-5', duration: '8h', timezone: 'Europe/Paris' }];

describe('the freeze guard is registered', () => {
  it('under the key freeze', () => {
    expect(guard.key).toBe('freeze');
    expect(guard.summary).toMatch(/freeze window/);
  });
});

// 09:00-17:00 on weekdays in Paris is 08:00-16:00 UTC in winter (CET) and 07:00-15:00 UTC in summer (CEST).
describe('a weekday business-hours cron window in Europe/Paris', () => {
  it.each([
    ['Friday 08:30 CET, before the window opens', '2026-03-27T07:30:00Z'],
    ['Friday 17:00 CET, the instant it closes (the end is exclusive)', '2026-03-27T16:00:00Z'],
    ['Saturday 10:00 CET, not a weekday', '2026-03-28T09:00:00Z'],
    ['Monday 08:30 CEST, after the spring change', '2026-03-30T06:30:00Z'],
    ['Monday 17:00 CEST, after the spring change', '2026-03-30T15:00:00Z'],
    ['Monday 08:30 CET, after the autumn change', '2026-10-26T07:30:00Z'],
  ])('passes on %s', async (_, now) => {
    const verdict = await check(businessHours, now);
    expect(verdict.ok).toBe(true);
    expect(verdict.warning).toBeUndefined();
  });

  it.each([
    ['Friday 09:00 CET, the instant it opens', '2026-03-27T08:00:00Z', '2026-03-27T17:00'],
    ['Friday 16:59:59 CET', '2026-03-27T15:59:59Z', '2026-03-27T17:00'],
    ['Monday 09:30 CEST, after the spring change', '2026-03-30T07:30:00Z', '2026-03-30T17:00'],
    ['Monday 16:59 CEST, after the spring change', '2026-03-30T14:59:00Z', '2026-03-30T17:00'],
    ['Friday 09:30 CEST, before the autumn change', '2026-10-23T07:30:00Z', '2026-10-23T17:00'],
    ['Monday 09:00 CET, after the autumn change', '2026-10-26T08:00:00Z', '2026-10-26T17:00'],
  ])('refuses on %s, saying until when', async (_, now, until) => {
    const verdict = await check(businessHours, now);
    expect(verdict).toEqual({ ok: false, detail: `inside freeze window "business hours" until ${until} Europe/Paris` });
  });

  it('names an unnamed window by its cron pattern', async () => {
    const verdict = await check([{ cron: '0 9 * * 1-5', duration: '8h', timezone: 'Europe/Paris' }], '2026-03-30T07:30:00Z');
    expect(verdict.detail).toBe('inside freeze window "0 9 * * 1-5" until 2026-03-30T17:00 Europe/Paris');
  });

  it('says when the next window opens when it passes', async () => {
    const verdict = await check(businessHours, '2026-03-28T09:00:00Z');
    expect(verdict.detail).toBe('outside the 1 freeze window; the next, "business hours", opens 2026-03-30T09:00 Europe/Paris');
  });
});

describe('cron windows across a daylight-saving change', () => {
  // Sunday 2026-03-29: at 02:00 CET the clocks jump to 03:00 CEST (01:00 UTC).
  it('a window spanning the spring-forward change lasts its duration in elapsed time', async () => {
    const nightly = [{ cron: '0 1 * * 0', duration: '2h', timezone: 'Europe/Paris' }]; // opens 01:00 CET = 00:00 UTC
    expect((await check(nightly, '2026-03-29T01:30:00Z')).detail).toBe(
      'inside freeze window "0 1 * * 0" until 2026-03-29T04:00 Europe/Paris',
    );
    expect((await check(nightly, '2026-03-29T01:59:59Z')).ok).toBe(false);
    expect((await check(nightly, '2026-03-29T02:00:00Z')).ok).toBe(true);
  });

  it('a window whose opening time falls in the spring-forward gap opens after the gap instead of being lost', async () => {
    const windows = parse([{ cron: '30 2 * * *', duration: '1h', timezone: 'Europe/Paris' }]);
    const active = activeFreezeWindow(windows, new Date('2026-03-29T01:30:00Z')); // 03:30 CEST
    expect(active?.start.toISOString()).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST, the first time after the gap
    expect(active?.until.toISOString()).toBe('2026-03-29T02:00:00.000Z');
    expect(activeFreezeWindow(windows, new Date('2026-03-29T02:00:00Z'))).toBeUndefined();
    // the day before and after, 02:30 local as usual
    expect(activeFreezeWindow(windows, new Date('2026-03-28T01:45:00Z'))?.start.toISOString()).toBe('2026-03-28T01:30:00.000Z');
    expect(activeFreezeWindow(windows, new Date('2026-03-30T00:45:00Z'))?.start.toISOString()).toBe('2026-03-30T00:30:00.000Z');
  });

  // Sunday 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET (01:00 UTC); 02:30 happens twice.
  it('a window whose opening time happens twice in the fall-back change opens once, at the first', async () => {
    const windows = [{ cron: '30 2 * * *', duration: '1h', timezone: 'Europe/Paris' }];
    const active = activeFreezeWindow(parse(windows), new Date('2026-10-25T01:15:00Z')); // 02:15 CET, the second pass
    expect(active?.start.toISOString()).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect((await check(windows, '2026-10-25T01:15:00Z')).detail).toBe(
      'inside freeze window "30 2 * * *" until 2026-10-25T02:30 Europe/Paris',
    );
    expect((await check(windows, '2026-10-25T01:45:00Z')).ok).toBe(true); // 02:45 CET: no second opening
  });

  it('the same cron read in UTC does not move with Paris time', async () => {
    const utc = [{ cron: '0 9 * * 1-5', duration: '8h' }];
    expect((await check(utc, '2026-03-30T08:30:00Z')).ok).toBe(true);
    expect((await check(utc, '2026-03-30T09:00:00Z')).detail).toBe('inside freeze window "0 9 * * 1-5" until 2026-03-30T17:00 UTC');
  });
});

describe('date-range windows', () => {
  const releaseFreeze = [{ name: 'release freeze', from: '2026-12-20T00:00', to: '2027-01-03T00:00', timezone: 'UTC' }];

  it('refuses inside the range, naming it and when it ends', async () => {
    expect(await check(releaseFreeze, '2026-12-25T12:00:00Z')).toEqual({
      ok: false,
      detail: 'inside freeze window "release freeze" until 2027-01-03T00:00 UTC',
    });
  });

  it('starts at from, inclusive, and ends at to, exclusive', async () => {
    expect((await check(releaseFreeze, '2026-12-19T23:59:59Z')).ok).toBe(true);
    expect((await check(releaseFreeze, '2026-12-20T00:00:00Z')).ok).toBe(false);
    expect((await check(releaseFreeze, '2027-01-02T23:59:59Z')).ok).toBe(false);
    expect((await check(releaseFreeze, '2027-01-03T00:00:00Z')).ok).toBe(true);
  });

  it('reads from and to as local times in its time zone', async () => {
    const tokyo = [{ name: 'tokyo', from: '2026-12-20T00:00', to: '2026-12-21T00:00', timezone: 'Asia/Tokyo' }]; // UTC+9
    expect((await check(tokyo, '2026-12-19T14:59:00Z')).ok).toBe(true);
    expect(await check(tokyo, '2026-12-19T15:00:00Z')).toEqual({
      ok: false,
      detail: 'inside freeze window "tokyo" until 2026-12-21T00:00 Asia/Tokyo',
    });
    const newYork = [{ from: '2026-07-04', to: '2026-07-05', timezone: 'America/New_York' }]; // UTC-4 in summer
    expect((await check(newYork, '2026-07-04T03:59:00Z')).ok).toBe(true);
    expect((await check(newYork, '2026-07-04T04:00:00Z')).detail).toBe(
      'inside freeze window "2026-07-04 to 2026-07-05" until 2026-07-05T00:00 America/New_York',
    );
  });

  it('accepts date-times with an explicit offset, and shows the end in the window time zone', async () => {
    const windows = [{ name: 'offsets', from: '2026-12-20T00:00+01:00', to: '2026-12-21T00:00:00Z' }];
    expect((await check(windows, '2026-12-19T22:59:00Z')).ok).toBe(true);
    expect((await check(windows, '2026-12-19T23:00:00Z')).detail).toBe('inside freeze window "offsets" until 2026-12-21T00:00 UTC');
  });

  it('chains windows that touch or overlap, so "until" is when the guard passes again', async () => {
    const windows = [
      { name: 'first', from: '2026-12-20T00:00', to: '2026-12-22T00:00' },
      { name: 'second', from: '2026-12-22T00:00', to: '2026-12-24T00:00' },
      { name: 'third', from: '2026-12-23T00:00', to: '2026-12-27T12:30' },
      { name: 'later', from: '2027-01-10T00:00', to: '2027-01-11T00:00' },
    ];
    expect((await check(windows, '2026-12-21T00:00:00Z')).detail).toBe('inside freeze window "first" until 2026-12-27T12:30 UTC');
  });

  it('says "at least" when a recurring chain of windows is too long to follow to its end', async () => {
    const overlapping = [{ name: 'always', cron: '0 * * * *', duration: '90m' }]; // each hour, for 90 minutes: never closes
    expect((await check(overlapping, '2026-05-01T10:15:00Z')).detail).toMatch(/^inside freeze window "always" until at least \d{4}-/);
  });

  it('passes outside every window and names the next one to open', async () => {
    const windows = [...releaseFreeze, ...businessHours];
    expect(await check(windows, '2026-12-18T07:00:00Z')).toEqual({
      ok: true,
      detail: 'outside all 2 freeze windows; the next, "business hours", opens 2026-12-18T09:00 Europe/Paris',
    });
    expect((await check(windows, '2026-12-19T12:00:00Z')).detail).toBe(
      'outside all 2 freeze windows; the next, "release freeze", opens 2026-12-20T00:00 UTC',
    );
  });

  it('passes with no windows at all', async () => {
    expect(await check([], '2026-12-25T12:00:00Z')).toEqual({ ok: true, detail: 'outside all 0 freeze windows' });
  });
});

describe('activeFreezeWindow', () => {
  it('returns the window, its position, when it opened and until when the freeze lasts', () => {
    const windows = parse([{ from: '2026-01-01T00:00', to: '2026-01-02T00:00' }, ...businessHours]);
    const active = activeFreezeWindow(windows, new Date('2026-03-30T07:30:00Z'));
    expect(active).toMatchObject({ index: 1, label: 'business hours', untilExact: true });
    expect(active?.start.toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(active?.until.toISOString()).toBe('2026-03-30T15:00:00.000Z');
    expect(activeFreezeWindow(windows, new Date('2026-03-30T05:00:00Z'))).toBeUndefined();
  });

  it('prefers the window that stays open longest when several are open', () => {
    const windows = parse([
      { name: 'short', from: '2026-05-01T00:00', to: '2026-05-01T12:00' },
      { name: 'long', from: '2026-05-01T06:00', to: '2026-05-03T00:00' },
    ]);
    expect(activeFreezeWindow(windows, new Date('2026-05-01T08:00:00Z'))?.label).toBe('long');
  });
});

describe('parseZonedDateTime', () => {
  it.each([
    ['2026-12-20T00:00', 'UTC', '2026-12-20T00:00:00.000Z'],
    ['2026-12-20', 'Europe/Paris', '2026-12-19T23:00:00.000Z'],
    ['2026-07-01T12:00:30', 'Europe/Paris', '2026-07-01T10:00:30.000Z'],
    ['2026-07-01 12:00', 'America/Los_Angeles', '2026-07-01T19:00:00.000Z'],
    ['2026-07-01T12:00+05:30', 'Europe/Paris', '2026-07-01T06:30:00.000Z'],
    ['2026-07-01T12:00:00.250Z', 'Asia/Tokyo', '2026-07-01T12:00:00.250Z'],
    // 02:30 does not exist in Paris on 2026-03-29: it is read as 03:30 CEST, as Temporal does
    ['2026-03-29T02:30', 'Europe/Paris', '2026-03-29T01:30:00.000Z'],
    // 02:30 happens twice in Paris on 2026-10-25: the earlier (CEST) is taken
    ['2026-10-25T02:30', 'Europe/Paris', '2026-10-25T00:30:00.000Z'],
  ])('reads %s in %s as %s', (text, zone, iso) => {
    expect(parseZonedDateTime(text, zone)?.toISOString()).toBe(iso);
  });

  it.each(['2026-13-01T00:00', '2026-02-30', '2026-12-20T24:00', '20/12/2026', '2026-12-20T00:00+25:00', 'tomorrow', ''])(
    'refuses %j',
    (text) => {
      expect(parseZonedDateTime(text, 'UTC')).toBeNull();
    },
  );
});

describe('freeze configuration errors', () => {
  it('fills in the default time zone, UTC, and parses the duration', () => {
    expect(
      parse([
        { cron: '0 9 * * 1-5', duration: '8h' },
        { name: 'r', from: '2026-12-20', to: '2026-12-21' },
      ]),
    ).toEqual([
      { cron: '0 9 * * 1-5', duration: 8 * 3_600_000, timezone: 'UTC' },
      { name: 'r', from: '2026-12-20', to: '2026-12-21', timezone: 'UTC' },
    ]);
  });

  it('refuses a time zone that does not exist, at the timezone field', () => {
    expect(issues([{ cron: '0 9 * * 1-5', duration: '8h', timezone: 'Mars/Olympus' }])).toEqual([
      { path: '0.timezone', message: 'unknown time zone "Mars/Olympus"; use an IANA name such as Europe/Paris' },
    ]);
  });

  it('suggests the time zone that was meant', () => {
    expect(issues([{ from: '2026-12-20', to: '2026-12-21', timezone: 'Europe/Pariss' }])[0]?.message).toBe(
      'unknown time zone "Europe/Pariss" (did you mean "Europe/Paris"?); use an IANA name such as Europe/Paris',
    );
  });

  it.each([
    ['61 9 * * 1-5', 'Invalid value for minute: 61'],
    ['every day', 'exactly five, six, or seven space separated parts are required'],
  ])('refuses the cron pattern %j with croner’s reason', (cron, reason) => {
    const [issue] = issues([{ cron, duration: '1h' }]);
    expect(issue?.path).toBe('0.cron');
    expect(issue?.message).toContain(`invalid cron pattern ${JSON.stringify(cron)}: `);
    expect(issue?.message).toContain(reason);
  });

  it('refuses a range whose end is not after its start, at the to field', () => {
    expect(issues([{ name: 'x', from: '2027-01-03T00:00', to: '2026-12-20T00:00', timezone: 'Europe/Paris' }])).toEqual([
      { path: '0.to', message: 'to (2026-12-20T00:00 Europe/Paris) must be after from (2027-01-03T00:00 Europe/Paris)' },
    ]);
    expect(issues([{ from: '2026-12-20T00:00', to: '2026-12-20T00:00' }])[0]?.path).toBe('0.to');
  });

  it('compares from and to as instants, offsets included', () => {
    // 00:30-02:00 is 02:30 UTC: after 01:00 UTC, so this range is backwards though its text is not
    expect(issues([{ from: '2026-12-20T00:30-02:00', to: '2026-12-20T01:00' }])[0]?.path).toBe('0.to');
    // 00:30+02:00 is 22:30 UTC the day before: before 23:00 UTC, so this range is fine though its text looks backwards
    expect(parse([{ from: '2026-12-20T00:30+02:00', to: '2026-12-19T23:00' }])).toHaveLength(1);
  });

  it.each([
    [{ from: '20/12/2026', to: '2027-01-03' }, '0.from', 'expected a date-time such as 2026-12-20T00:00'],
    [{ cron: '0 9 * * *' }, '0.duration', 'a cron window needs a duration'],
    [{ duration: '8h' }, '0.cron', 'needs a cron pattern'],
    [{ cron: '0 9 * * *', duration: '0s' }, '0.duration', 'must last longer than 0s'],
    [{ cron: '0 9 * * *', duration: 'eight hours' }, '0.duration', 'expected a duration like 30s'],
    [{ from: '2026-12-20' }, '0.to', 'a date range needs to'],
    [{ cron: '0 9 * * *', duration: '1h', from: '2026-12-20', to: '2026-12-21' }, '0.cron', 'not both'],
    [{ name: 'nothing' }, '0', 'needs either cron and duration'],
    [{ cron: '0 9 * * *', duration: '1h', timezon: 'UTC' }, '0', 'unknown field "timezon" (did you mean "timezone"?)'],
  ])('refuses %j at %s', (window, path, message) => {
    const [issue] = issues([window]);
    expect(issue?.path).toBe(path);
    expect(issue?.message).toContain(message);
  });

  it('expects a list of windows', () => {
    expect(issues({ cron: '0 9 * * *', duration: '1h' })[0]?.message).toMatch(/expected array/);
  });
});
