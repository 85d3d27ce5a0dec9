/**
 * Fires schedules: one timer per schedule, set to its next occurrence that the window allows. Every
 * occurrence is claimed in the store before anything else happens (a unique row), so neither a restart
 * nor a second daemon on the same database ever starts it twice; then it is decided:
 *
 *   claimed -> suspended? halted? later than startingDeadline? outside the window? sooner than
 *              minInterval? Forbid and a run of this schedule still going? -> skipped | missed
 *           -> the experiment resolves and the run starts -> started (with its run id) | error
 *
 * On start, each schedule catches up at most one missed occurrence, the latest, when it is still within
 * startingDeadline; the others are recorded as missed in one row. Nothing is ever replayed twice.
 */
import type { Experiment, ScheduleDefinition } from '../spec/load.js';
import type { Occurrence, SchedulesStore, StoredSchedule } from '../store/schedules-store.js';
import { formatDuration } from '../util/duration.js';
import { errorMessage } from '../util/errors.js';
import { type CronSchedule, parseCron } from './cron.js';
import { missedBetween, upcoming } from './next-runs.js';
import { outsideWindow, tooSoon } from './window.js';

export interface SchedulerHost {
  /** the schedules, their occurrences and the runs they started: all the scheduler reads and writes */
  store: SchedulesStore;
  /** the Schedule document of a stored schedule (throws a UserError when it no longer parses) */
  definitionOf(stored: StoredSchedule): ScheduleDefinition;
  /** the experiment to run now: the stored one it names, or its inline one, parsed afresh */
  experimentOf(definition: ScheduleDefinition): Promise<Experiment>;
  /** starts a run; `done` settles when it has ended and been stored */
  startRun(definition: ScheduleDefinition, experiment: Experiment, scheduledFor: Date): Promise<{ runId: string; done: Promise<void> }>;
  /** why runs may not start now (the halt switch), or null */
  refusal(): string | null;
  onOccurrence?(occurrence: Pick<Occurrence, 'schedule' | 'scheduledFor' | 'outcome' | 'detail' | 'runId'>): void;
  log?(line: string): void;
}

export interface ScheduleStatus {
  name: string;
  cron: string;
  timeZone: string;
  suspended: boolean;
  /** scheduled: its timer is set; suspended; expired: its window has closed; invalid: it no longer parses */
  state: 'scheduled' | 'suspended' | 'expired' | 'invalid';
  error: string | null;
  nextRuns: string[];
  lastScheduledAt: string | null;
}

/** Longest single timer: long waits are re-armed, so clock changes and setTimeout's 24-day limit do not matter. */
const MAX_TIMER_MS = 60 * 60 * 1000;

interface Entry {
  stored: StoredSchedule;
  definition: ScheduleDefinition | null;
  cron: CronSchedule | null;
  error: string | null;
  timer: NodeJS.Timeout | null;
  nextAt: Date | null;
  /** the occurrence being decided now, so a reload does not race a fire */
  firing: Promise<void> | null;
  /** after the store failed: no new attempt before this (epoch ms) */
  retryAt: number;
  /** next run times, kept while the first of them is ahead and nothing was decided since */
  upcoming: { from: string | null; runs: Date[]; count: number } | null;
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;
  private readonly pendingRuns = new Set<Promise<void>>();

  constructor(
    private readonly host: SchedulerHost,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads every schedule, catches up what a restart missed, and sets the timers. */
  async start(): Promise<void> {
    for (const stored of await this.host.store.listSchedules()) await this.load(stored, true);
  }

  /** Re-reads one schedule after it was created, replaced, paused, resumed or deleted. */
  async reload(name: string): Promise<void> {
    const old = this.entries.get(name);
    if (old?.timer) clearTimeout(old.timer);
    await old?.firing;
    this.entries.delete(name);
    const stored = await this.host.store.getSchedule(name);
    if (stored && !this.stopped) await this.load(stored, false);
  }

  /** No occurrence is decided after this; runs already started go on (the daemon stops them). */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) if (entry.timer) clearTimeout(entry.timer);
  }

  /** Settles once every started run has ended and its history was pruned. */
  async idle(): Promise<void> {
    await Promise.all([...this.pendingRuns]);
  }

  status(name: string, count = 5): ScheduleStatus | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    const { stored } = entry;
    const next = this.nextRuns(entry, count);
    const state: ScheduleStatus['state'] = entry.error ? 'invalid' : stored.suspended ? 'suspended' : next.length ? 'scheduled' : 'expired';
    return {
      name,
      cron: stored.cron,
      timeZone: stored.timeZone,
      suspended: stored.suspended,
      state,
      error: entry.error,
      nextRuns: next.map((d) => d.toISOString()),
      lastScheduledAt: stored.lastScheduledAt,
    };
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The parsed document of a loaded schedule (null when it does not parse). */
  definition(name: string): ScheduleDefinition | null {
    return this.entries.get(name)?.definition ?? null;
  }

  /** Next run times; recomputed only when the first has passed or an occurrence was decided. */
  private nextRuns(entry: Entry, count: number): Date[] {
    const { stored, definition, cron } = entry;
    if (!cron || !definition) return [];
    const now = this.now();
    const cached = entry.upcoming;
    if (
      cached &&
      cached.from === stored.lastScheduledAt &&
      cached.count >= count &&
      (cached.runs[0]?.getTime() ?? Number.POSITIVE_INFINITY) > now
    ) {
      return cached.runs.slice(0, count);
    }
    const runs = upcoming(
      cron,
      definition.window,
      new Date(Math.max(now, Date.parse(stored.lastScheduledAt ?? '') || 0)),
      Math.max(count, 5),
    );
    entry.upcoming = { from: stored.lastScheduledAt, runs, count: Math.max(count, 5) };
    return runs.slice(0, count);
  }

  private async load(stored: StoredSchedule, catchUp: boolean): Promise<void> {
    const entry: Entry = {
      stored,
      definition: null,
      cron: null,
      error: null,
      timer: null,
      nextAt: null,
      firing: null,
      retryAt: 0,
      upcoming: null,
    };
    this.entries.set(stored.name, entry);
    try {
      entry.definition = this.host.definitionOf(stored);
      entry.cron = parseCron(entry.definition.cron, entry.definition.timeZone);
    } catch (error) {
      entry.error = errorMessage(error);
      this.host.log?.(`schedule ${stored.name} is not scheduled: ${entry.error}`);
      return;
    }
    if (stored.suspended) return;
    if (catchUp && stored.lastScheduledAt) {
      entry.firing = this.catchUp(entry, new Date(stored.lastScheduledAt));
      await entry.firing;
      entry.firing = null;
    }
    this.arm(entry);
  }

  /** After a restart: the latest missed occurrence runs if still within startingDeadline; the rest are recorded as missed. */
  private async catchUp(entry: Entry, since: Date): Promise<void> {
    const definition = entry.definition as ScheduleDefinition;
    const cron = entry.cron as CronSchedule;
    const now = new Date(this.now());
    const missed = missedBetween(cron, since, now);
    if (!missed.latest) return;
    const late = now.getTime() - missed.latest.getTime();
    const runLatest = late <= definition.startingDeadlineMs;
    const skipped = runLatest ? missed.count - 1 : missed.count;
    const lastSkipped = runLatest ? missed.previous : missed.latest;
    if (skipped > 0 && lastSkipped) {
      const first = cron.next(since);
      const span = first && first.getTime() !== lastSkipped.getTime() ? ` from ${first.toISOString()} to ${lastSkipped.toISOString()}` : '';
      const why = runLatest
        ? `at most one missed occurrence runs after a restart: the latest, ${missed.latest.toISOString()}`
        : `the latest is ${Math.round(late / 1000)}s old, past startingDeadline ${formatDuration(definition.startingDeadlineMs)}`;
      await this.decide(entry, lastSkipped, async () => ({
        outcome: 'missed',
        detail: `${skipped}${missed.more ? '+' : ''} occurrence(s)${span} missed while no daemon was running; ${why}`,
      }));
    }
    if (runLatest) await this.fire(entry, missed.latest);
  }

  /**
   * Sets the timer to the next occurrence not decided yet: after the latest decided one, and no earlier
   * than startingDeadline ago (an occurrence still within it, left undecided while the previous one was
   * being decided, fires at once; older ones are not replayed).
   */
  private arm(entry: Entry): void {
    if (this.stopped || entry.stored.suspended || !entry.cron || !entry.definition) return;
    const last = Date.parse(entry.stored.lastScheduledAt ?? '') || 0;
    const from = new Date(Math.max(last, this.now() - entry.definition.startingDeadlineMs));
    const [next] = upcoming(entry.cron, entry.definition.window, from, 1);
    entry.nextAt = next ?? null;
    if (!next) return; // its window has closed for good
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, next.getTime() - this.now(), entry.retryAt - this.now()));
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (this.stopped || this.entries.get(entry.stored.name) !== entry) return;
      if (this.now() < next.getTime()) return this.arm(entry); // a long wait, re-armed
      entry.firing = this.fire(entry, next).finally(() => {
        entry.firing = null;
        this.arm(entry);
      });
    }, delay);
    entry.timer.unref?.();
  }

  /** Decides one occurrence: claims it, checks every reason not to run, starts the run. */
  private async fire(entry: Entry, at: Date): Promise<void> {
    const definition = entry.definition as ScheduleDefinition;
    await this.decide(entry, at, async () => {
      if (this.stopped) return { outcome: 'skipped', detail: 'the daemon is stopping' };
      const now = new Date(this.now());
      const late = now.getTime() - at.getTime();
      if (late > definition.startingDeadlineMs) {
        return {
          outcome: 'missed',
          detail: `${formatDuration(late)} late, past startingDeadline ${formatDuration(definition.startingDeadlineMs)}`,
        };
      }
      const refusal = this.host.refusal();
      if (refusal) return { outcome: 'skipped', detail: refusal };
      const outside = outsideWindow(definition.window, now, definition.timeZone);
      if (outside) return { outcome: 'skipped', detail: `outside the window: ${outside}` };
      const soon = tooSoon(definition.window, now, await this.host.store.lastStartOf(definition.name));
      if (soon) return { outcome: 'skipped', detail: soon };
      if (definition.concurrencyPolicy === 'Forbid') {
        const running = await this.host.store.unfinishedRunsOfSchedule(definition.name);
        if (running.length)
          return { outcome: 'skipped', detail: `concurrencyPolicy Forbid: run ${running.join(', ')} of this schedule is still going` };
      }
      const experiment = await this.host.experimentOf(definition);
      const { runId, done } = await this.host.startRun(definition, experiment, at);
      const pending = done
        .then(async () => {
          await this.host.store.pruneScheduleHistory(definition.name, definition.historyLimit);
        })
        .catch((error) => this.host.log?.(`schedule ${definition.name}: ${errorMessage(error)}`))
        .finally(() => this.pendingRuns.delete(pending));
      this.pendingRuns.add(pending);
      return { outcome: 'started', detail: `run ${runId}`, runId };
    });
  }

  private async decide(
    entry: Entry,
    at: Date,
    decision: () => Promise<{ outcome: Occurrence['outcome']; detail: string; runId?: string }>,
  ): Promise<void> {
    const name = entry.stored.name;
    const scheduledFor = at.toISOString();
    try {
      const claimed = await this.host.store.claimOccurrence(name, scheduledFor);
      if (!entry.stored.lastScheduledAt || entry.stored.lastScheduledAt < scheduledFor) entry.stored.lastScheduledAt = scheduledFor;
      if (!claimed) return; // decided already, here or by another daemon on the same database
    } catch (error) {
      // not recorded, so not run: tried again in a few seconds, while still within startingDeadline
      entry.retryAt = this.now() + 5000;
      this.host.log?.(`schedule ${name}: cannot record the occurrence ${scheduledFor}, trying again in 5s: ${errorMessage(error)}`);
      return;
    }
    let result: { outcome: Occurrence['outcome']; detail: string; runId?: string };
    try {
      result = await decision();
    } catch (error) {
      result = { outcome: 'error', detail: errorMessage(error) };
    }
    const runId = result.runId ?? null;
    try {
      await this.host.store.settleOccurrence(name, scheduledFor, result.outcome, result.detail, runId);
    } catch (error) {
      this.host.log?.(`schedule ${name}: cannot record the outcome of ${scheduledFor}: ${errorMessage(error)}`);
    }
    this.host.log?.(`schedule ${name} ${scheduledFor}: ${result.outcome}${result.detail ? ` (${result.detail})` : ''}`);
    this.host.onOccurrence?.({ schedule: name, scheduledFor, outcome: result.outcome, detail: result.detail, runId });
  }
}
