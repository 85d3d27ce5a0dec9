/**
 * Schedules: cron with and without seconds, nicknames and @every, time zones, windows (time range, work
 * days and hours, minInterval), next run times; and the scheduler's decisions on a real store with a
 * clock of its own: each occurrence decided once, missed ones recorded, at most one caught up after a
 * restart, Forbid, suspension, the halt switch, historyLimit.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { cronError, parseCron } from '../src/schedule/cron.js';
import { missedBetween, upcoming } from '../src/schedule/next-runs.js';
import { Scheduler, type SchedulerHost } from '../src/schedule/scheduler.js';
import { outsideWindow, parseWorkDays, parseWorkHours, type ScheduleWindow, zonedClock } from '../src/schedule/window.js';
import { type Experiment, parseDocuments, type ScheduleDefinition } from '../src/spec/load.js';
import type { StoredSchedule } from '../src/store/daemon-store.js';
import { SqliteDaemonStore } from '../src/store/sqlite-daemon-store.js';
import { tempDir } from './support/cli.js';

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('cron', () => {
  it('reads 5 fields, 6 with seconds first, nicknames and @every', () => {
    expect(iso(upcoming(parseCron('*/15 * * * *'), {}, at('2026-03-02T10:07:30Z'), 2))).toEqual([
      '2026-03-02T10:15:00.000Z',
      '2026-03-02T10:30:00.000Z',
    ]);
    expect(iso(upcoming(parseCron('*/20 * * * * *'), {}, at('2026-03-02T10:07:30Z'), 2))).toEqual([
      '2026-03-02T10:07:40.000Z',
      '2026-03-02T10:08:00.000Z',
    ]);
    expect(iso(upcoming(parseCron('@hourly'), {}, at('2026-03-02T10:07:30Z'), 1))).toEqual(['2026-03-02T11:00:00.000Z']);
    // @every is anchored at the epoch: the same occurrences whenever the daemon starts
    expect(iso(upcoming(parseCron('@every 30m'), {}, at('2026-03-02T10:07:30Z'), 2))).toEqual([
      '2026-03-02T10:30:00.000Z',
      '2026-03-02T11:00:00.000Z',
    ]);
  });

  it('reads the cron in its time zone, across a daylight saving change', () => {
    const paris = parseCron('0 9 * * 1-5', 'Europe/Paris');
    // the last Monday of March 2026 is after the change to summer time (UTC+2)
    expect(iso(upcoming(paris, {}, at('2026-03-27T12:00:00Z'), 2))).toEqual(['2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z']);
    expect(iso(upcoming(paris, {}, at('2026-03-20T12:00:00Z'), 1))).toEqual(['2026-03-23T08:00:00.000Z']);
  });

  it('explains what is wrong with a cron or a time zone', () => {
    expect(cronError('61 * * * *')).toMatch(/Invalid value for minute: 61; write 5 fields/);
    expect(cronError('* * *')).toMatch(/invalid cron "\* \* \*"/);
    expect(cronError('0 0 31 2 *')).toMatch(/never fires/);
    expect(cronError('@every soon')).toMatch(/@every takes a duration/);
    expect(cronError('@every 100ms')).toMatch(/shortest interval is 1s/);
    expect(cronError('* * * * * *')).toBeNull();
    expect(() => parseCron('* * * * *', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
  });

  it('counts the occurrences missed between two times, with the latest and the one before', () => {
    const every10s = parseCron('*/10 * * * * *');
    expect(missedBetween(every10s, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:35Z'))).toMatchObject({
      count: 3,
      latest: at('2026-01-01T00:00:30Z'),
      previous: at('2026-01-01T00:00:20Z'),
    });
    expect(missedBetween(every10s, at('2026-01-01T00:00:30Z'), at('2026-01-01T00:00:35Z')).count).toBe(0);
  });
});

describe('windows', () => {
  it('parses work days and hours', () => {
    expect(parseWorkDays('Mon-Fri')).toEqual([1, 2, 3, 4, 5]);
    expect(parseWorkDays(['sat', 'Sunday'])).toEqual([0, 6]);
    expect(parseWorkDays('Fri-Mon')).toEqual([0, 1, 5, 6]);
    expect(parseWorkDays('Mon-Fryday')).toMatch(/unknown day "Mon-Fryday"/);
    expect(parseWorkHours('09:00-17:30')).toEqual({ start: 540, end: 1050 });
    expect(parseWorkHours('22-6')).toEqual({ start: 1320, end: 360 });
    expect(parseWorkHours('9-25')).toMatch(/expected hours such as 09:00-17:00/);
  });

  it('allows a run only inside the time range, on work days and in work hours, read in the time zone', () => {
    const window: ScheduleWindow = {
      start: Date.parse('2026-03-01T00:00:00Z'),
      end: Date.parse('2026-04-01T00:00:00Z'),
      workDays: [1, 2, 3, 4, 5],
      workHours: { start: 9 * 60, end: 17 * 60 },
    };
    const tz = 'America/New_York';
    expect(zonedClock(at('2026-03-02T14:00:00Z'), tz)).toEqual({ day: 1, minute: 9 * 60 });
    expect(outsideWindow(window, at('2026-03-02T14:00:00Z'), tz)).toBeNull();
    expect(outsideWindow(window, at('2026-03-02T13:59:00Z'), tz)).toMatch(/08:59 America\/New_York is outside the work hours 09:00-17:00/);
    expect(outsideWindow(window, at('2026-03-07T15:00:00Z'), tz)).toMatch(/Sat is not a work day/);
    expect(outsideWindow(window, at('2026-02-27T15:00:00Z'), tz)).toMatch(/before the window opens/);
    expect(outsideWindow(window, at('2026-04-01T15:00:00Z'), tz)).toMatch(/after the window closed/);
    const hourly = parseCron('0 * * * *', tz);
    expect(iso(upcoming(hourly, window, at('2026-03-06T22:30:00Z'), 3))).toEqual([
      '2026-03-09T13:00:00.000Z', // Monday 9:00 in New York (daylight saving started on the 8th)
      '2026-03-09T14:00:00.000Z',
      '2026-03-09T15:00:00.000Z',
    ]);
    expect(upcoming(hourly, window, at('2026-04-02T00:00:00Z'), 3)).toEqual([]);
  });

  it('finds the next runs of a per-second cron whose window opens days later', () => {
    const mondayNine: ScheduleWindow = { workDays: [1], workHours: { start: 9 * 60, end: 9 * 60 + 1 } };
    const everySecond = parseCron('*/30 * * * * *', 'UTC');
    expect(iso(upcoming(everySecond, mondayNine, at('2026-03-03T12:00:00Z'), 3))).toEqual([
      '2026-03-09T09:00:00.000Z',
      '2026-03-09T09:00:30.000Z',
      '2026-03-16T09:00:00.000Z',
    ]);
  });
});

// ---------- the scheduler, on a real store ----------

class Clock {
  constructor(public t: number) {}
  now = () => this.t;
}

interface Harness {
  store: SqliteDaemonStore;
  clock: Clock;
  runs: { schedule: string; scheduledFor: string; finish: () => void }[];
  halted: string | null;
  scheduler: () => Scheduler;
}

const stores: SqliteDaemonStore[] = [];
const schedulers: Scheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) s.stop();
  for (const s of stores.splice(0)) await s.close();
});

const EXPERIMENT = `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: noop }
spec:
  hypothesis: h
  method: [ { pause: 1s } ]
`;

function harness(startIso: string): Harness {
  const store = new SqliteDaemonStore(join(tempDir(), 'runs.db'));
  stores.push(store);
  const h: Harness = {
    store,
    clock: new Clock(Date.parse(startIso)),
    runs: [],
    halted: null,
    scheduler: () => {
      const host: SchedulerHost = {
        store,
        definitionOf: (stored) => parseDocuments(stored.yaml, null, { project: null }).schedules[0] as ScheduleDefinition,
        experimentOf: async () => parseDocuments(EXPERIMENT, null, { project: null }).experiments[0] as Experiment,
        startRun: async (definition, _experiment, scheduledFor) => {
          const runId = `run-${h.runs.length + 1}`;
          let finish = () => {};
          const done = new Promise<void>((resolve) => (finish = resolve));
          await store.startRun(
            { id: runId, experiment: 'noop', file: null, startedAt: new Date(h.clock.t).toISOString(), seed: 1 },
            {
              trigger: 'schedule',
              actor: `schedule ${definition.name}`,
              schedule: definition.name,
              scheduledFor: scheduledFor.toISOString(),
              owner: { pid: 1, start: '', host: 'test' },
            },
          );
          h.runs.push({ schedule: definition.name, scheduledFor: scheduledFor.toISOString(), finish });
          return { runId, done };
        },
        refusal: () => h.halted,
      };
      const scheduler = new Scheduler(host, h.clock.now);
      schedulers.push(scheduler);
      return scheduler;
    },
  };
  return h;
}

async function addSchedule(h: Harness, name: string, spec: string, createdIso: string): Promise<void> {
  const yaml = `apiVersion: faultline.dev/v1\nkind: Schedule\nmetadata: { name: ${name} }\nspec:\n${spec
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n  experiment: noop\n`;
  const [d] = parseDocuments(yaml, null, { project: null }).schedules;
  const record: StoredSchedule = {
    name,
    yaml,
    labels: {},
    cron: d?.cron as string,
    timeZone: d?.timeZone as string,
    experimentRef: 'noop',
    suspended: d?.suspend ?? false,
    lastScheduledAt: createdIso,
    createdAt: createdIso,
    updatedAt: createdIso,
    updatedBy: 'test',
  };
  await h.store.putSchedules([record], false);
}

/** Ends a started run in the store (as the engine would) so Forbid sees it finished. */
async function finishRun(h: Harness, i: number): Promise<void> {
  const run = h.runs[i];
  if (!run) throw new Error(`no run ${i}`);
  const id = `run-${i + 1}`;
  const report = {
    runId: id,
    verdict: 'passed',
    reason: 'ok',
    endedAt: new Date(h.clock.t).toISOString(),
    timeline: [],
    measurements: { mttdMs: null, mttrMs: null, availability: null },
  };
  await h.store.finishRun(report as never, []);
  run.finish();
}

/** Lets the scheduler's timers (real ones, with delay 0 for occurrences already due) do their work. */
const settle = () => new Promise((r) => setTimeout(r, 100));

describe('the scheduler', () => {
  it('after a restart, runs the latest missed occurrence within startingDeadline and records the others as missed, once', async () => {
    const h = harness('2026-01-01T00:00:00Z');
    await addSchedule(h, 'every-10s', 'schedule: "*/10 * * * * *"\nstartingDeadline: 30s', '2026-01-01T00:00:00Z');
    // the daemon was down from 00:00:00 to 00:01:05: 6 occurrences passed, the latest (00:01:00) 5s ago
    h.clock.t = Date.parse('2026-01-01T00:01:05Z');
    const first = h.scheduler();
    await first.start();
    await settle();
    expect(h.runs.map((r) => r.scheduledFor)).toEqual(['2026-01-01T00:01:00.000Z']);
    const occurrences = await h.store.listOccurrences('every-10s', 10);
    expect(occurrences.map((o) => [o.scheduledFor, o.outcome])).toEqual([
      ['2026-01-01T00:01:00.000Z', 'started'],
      ['2026-01-01T00:00:50.000Z', 'missed'],
    ]);
    expect(occurrences[1]?.detail).toMatch(
      /^5 occurrence\(s\) from 2026-01-01T00:00:10.000Z to 2026-01-01T00:00:50.000Z missed while no daemon was running; at most one/,
    );
    first.stop();
    // a second start at the same moment (a restart loop, or a second daemon) decides nothing again
    const second = h.scheduler();
    await second.start();
    await settle();
    expect(h.runs).toHaveLength(1);
    expect(await h.store.listOccurrences('every-10s', 10)).toHaveLength(2);
  });

  it('records occurrences older than startingDeadline as missed without running any', async () => {
    const h = harness('2026-01-01T00:00:00Z');
    await addSchedule(h, 'hourly', 'schedule: "@hourly"\nstartingDeadline: 5m', '2026-01-01T00:00:00Z');
    h.clock.t = Date.parse('2026-01-01T03:20:00Z');
    await h.scheduler().start();
    await settle();
    expect(h.runs).toEqual([]);
    const [missed] = await h.store.listOccurrences('hourly', 10);
    expect(missed).toMatchObject({ scheduledFor: '2026-01-01T03:00:00.000Z', outcome: 'missed' });
    expect(missed?.detail).toMatch(/3 occurrence\(s\) .*the latest is 1200s old, past startingDeadline 5m/);
  });

  it('skips an occurrence while a run of the schedule goes on (Forbid), and not with Allow', async () => {
    for (const policy of ['Forbid', 'Allow']) {
      const h = harness('2026-01-01T00:00:00Z');
      await addSchedule(h, 'often', `schedule: "*/10 * * * * *"\nconcurrencyPolicy: ${policy}`, '2026-01-01T00:00:00Z');
      h.clock.t = Date.parse('2026-01-01T00:00:10Z');
      await h.scheduler().start();
      await settle();
      expect(h.runs).toHaveLength(1); // 00:00:10, due now
      h.clock.t = Date.parse('2026-01-01T00:00:20.5Z');
      await new Promise((r) => setTimeout(r, 50));
      // the timer was set for 00:00:20 with the real clock; re-arm by reloading, as a clock jump would
      await schedulers.at(-1)?.reload('often');
      await settle();
      const [latest] = await h.store.listOccurrences('often', 1);
      if (policy === 'Forbid') {
        expect(latest).toMatchObject({
          scheduledFor: '2026-01-01T00:00:20.000Z',
          outcome: 'skipped',
          detail: 'concurrencyPolicy Forbid: run run-1 of this schedule is still going',
        });
        expect(h.runs).toHaveLength(1);
      } else {
        expect(latest).toMatchObject({ scheduledFor: '2026-01-01T00:00:20.000Z', outcome: 'started' });
        expect(h.runs).toHaveLength(2);
      }
    }
  });

  it('skips while halted, outside the window and sooner than minInterval, and never while suspended', async () => {
    const h = harness('2026-01-05T08:59:00Z'); // a Monday
    await addSchedule(h, 'gated', 'schedule: "*/10 * * * * *"\nwindow: { minInterval: 15s }', '2026-01-05T08:59:00Z');
    h.clock.t = Date.parse('2026-01-05T08:59:10Z');
    h.halted = 'halted by sre at 08:58: INC-1';
    const scheduler = h.scheduler();
    await scheduler.start();
    await scheduler.reload('gated');
    await settle();
    expect((await h.store.listOccurrences('gated', 1))[0]).toMatchObject({ outcome: 'skipped', detail: 'halted by sre at 08:58: INC-1' });
    h.halted = null;
    h.clock.t = Date.parse('2026-01-05T08:59:20Z');
    await scheduler.reload('gated');
    await settle();
    expect((await h.store.listOccurrences('gated', 1))[0]).toMatchObject({ scheduledFor: '2026-01-05T08:59:20.000Z', outcome: 'started' });
    await finishRun(h, 0);
    h.clock.t = Date.parse('2026-01-05T08:59:30Z');
    await scheduler.reload('gated');
    await settle();
    expect((await h.store.listOccurrences('gated', 1))[0]).toMatchObject({
      outcome: 'skipped',
      detail: expect.stringMatching(/less than minInterval/),
    });
    await h.store.setScheduleSuspended('gated', true, 'test');
    h.clock.t = Date.parse('2026-01-05T08:59:40Z');
    await scheduler.reload('gated');
    await settle();
    expect((await h.store.listOccurrences('gated', 1))[0]?.scheduledFor).toBe('2026-01-05T08:59:30.000Z');
    expect(scheduler.status('gated')).toMatchObject({ state: 'suspended', suspended: true });
  });

  it('keeps only historyLimit finished runs of a schedule', async () => {
    const h = harness('2026-01-01T00:00:00Z');
    await addSchedule(h, 'kept', 'schedule: "*/10 * * * * *"\nhistoryLimit: 2\nconcurrencyPolicy: Allow', '2026-01-01T00:00:00Z');
    const scheduler = h.scheduler();
    await scheduler.start();
    for (let i = 1; i <= 4; i++) {
      h.clock.t = Date.parse(`2026-01-01T00:00:${i}0Z`);
      await scheduler.reload('kept');
      await settle();
      await finishRun(h, i - 1);
      await scheduler.idle();
    }
    const left = await h.store.listRuns({ schedule: 'kept', limit: 10 });
    expect(left.map((r) => r.scheduledFor)).toEqual(['2026-01-01T00:00:40.000Z', '2026-01-01T00:00:30.000Z']);
    expect((await h.store.listOccurrences('kept', 10)).map((o) => o.scheduledFor)).toEqual([
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:00:30.000Z',
    ]);
  });
});
