/**
 * The game days the daemon runs (POST /api/v1/gamedays): each is `runGameDay` from the programme layer
 * with an AbortController, its experiments run as the daemon's own runs (so each has its live events,
 * its report and its place in the history), and its announcements sent to the channels of its
 * experiments' project. Stopping a game day aborts it: the run going is stopped (every fault reverted),
 * and the store records which stages ran and which were interrupted, as Ctrl-C on `faultline gameday run`.
 */
import { type Announcement, announce } from '../observe/notify/index.js';
import type { GameDay } from '../programme/gameday.js';
import { runGameDay } from '../programme/gameday-runner.js';
import type { Experiment } from '../spec/load.js';
import type { GameDayStore } from '../store/gameday-store.js';
import { errorMessage } from '../util/errors.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import type { EventBus } from './events.js';
import type { RunManager } from './runs.js';

export interface ActiveGameDay {
  id: string;
  name: string;
  startedBy: string;
  experiments: Experiment[];
  stoppedBy: string | null;
  /** settles when the game day has ended and its status is stored */
  done: Promise<void>;
}

export interface GameDayManagerDeps {
  runs: RunManager;
  control: SqliteDatabase;
  gameDays: () => Promise<GameDayStore>;
  bus: EventBus;
  log: (line: string) => void;
}

/** How often a game day of the daemon looks for its approval and the halt switch while it waits. */
const POLL_MS = 250;

export class GameDayManager {
  private readonly active = new Map<string, ActiveGameDay & { controller: AbortController }>();

  constructor(private readonly deps: GameDayManagerDeps) {}

  get(id: string): ActiveGameDay | undefined {
    return this.active.get(id);
  }

  list(): ActiveGameDay[] {
    return [...this.active.values()].map(({ controller: _c, ...g }) => g);
  }

  /** Starts a game day; resolves once it is recorded (with its id), long before it ends. */
  async start(gameDay: GameDay, by: string): Promise<ActiveGameDay> {
    const { runs, control, bus, log } = this.deps;
    const store = await this.deps.gameDays();
    const controller = new AbortController();
    const experiments = gameDay.stages.flatMap((s) => s.experiments.map((e) => e.experiment));
    let recorded: (id: string) => void = () => {};
    const known = new Promise<string>((resolve) => (recorded = resolve));
    let entry: (ActiveGameDay & { controller: AbortController }) | undefined;
    const running = runGameDay(gameDay, {
      store,
      control,
      signal: controller.signal,
      pollMs: POLL_MS,
      onStart: (id) => recorded(id),
      runExperiment: async (experiment, signal, started) => {
        const run = await runs.start(experiment, { trigger: 'api', actor: by, schedule: null, scheduledFor: null });
        started(run.runId);
        const stop = () => runs.stop(run.runId, entry?.stoppedBy ?? by);
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
        try {
          const result = await run.done;
          if (!result) throw new Error(`run ${run.runId} of ${experiment.name} could not be recorded; see the daemon log`);
          return result;
        } finally {
          signal.removeEventListener('abort', stop);
        }
      },
      announce: (announcement, all) => this.announce(announcement, all),
      log: (line) => log(line),
    });
    const id = await Promise.race([known, running.then(() => null)]);
    if (!id) throw new Error('the game day ended before it was recorded');
    const done = running
      .then(
        (outcome) => {
          bus.daemon.publish('gameday-ended', { id, name: gameDay.name, status: outcome.status, reason: outcome.reason });
        },
        async (error) => {
          // not an outcome of the game day itself (the store failed, the daemon is shutting down): say so
          const reason = `the game day could not go on: ${errorMessage(error)}`;
          log(`game day ${gameDay.name} (${id}): ${reason}`);
          await store.setStatus(id, 'error', reason, new Date().toISOString()).catch(() => {});
          bus.daemon.publish('gameday-ended', { id, name: gameDay.name, status: 'error', reason });
        },
      )
      .finally(() => this.active.delete(id));
    entry = { id, name: gameDay.name, startedBy: by, experiments, stoppedBy: null, done, controller };
    this.active.set(id, entry);
    bus.daemon.publish('gameday-started', { id, name: gameDay.name, startedBy: by });
    return entry;
  }

  /** Aborts a game day of this daemon: the run going reverts its faults, the rest is not run. False when it is not running here. */
  stop(id: string, by: string): boolean {
    const entry = this.active.get(id);
    if (!entry) return false;
    entry.stoppedBy ??= by;
    entry.controller.abort();
    return true;
  }

  /** SIGTERM: stop every game day (before the runs are drained, so that none starts another run). */
  stopAll(by: string): Promise<void> {
    const all = [...this.active.values()];
    for (const g of all) this.stop(g.id, by);
    return Promise.all(all.map((g) => g.done)).then(() => {});
  }

  /** Posts to the channels of the game day's experiments (their project's notifications), each once. */
  private async announce(announcement: Announcement, experiments: readonly Experiment[]): Promise<void> {
    // experiments of one project carry equal copies of its channels: each channel once
    const specs = [...new Map(experiments.flatMap((e) => e.notifications).map((n) => [JSON.stringify(n), n])).values()];
    for (const outcome of await announce(specs, announcement)) if (!outcome.ok) this.deps.log(outcome.line);
  }
}
