/**
 * `faultline serve`: one process with the scheduler, the HTTP API, the dashboard, the metrics endpoint
 * and an Alertmanager receiver, over the library.
 *
 *   start: open the store -> revert what the journal shows applied (dead runs) -> end the runs of dead
 *          daemons -> load the project -> start the scheduler (catching up at most one missed run per
 *          schedule) -> listen
 *   stop (SIGTERM): stop scheduling -> stop every run (each reverts its faults) and wait for them to be
 *          stored -> close the server and the store
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { AlertHub } from '../engine/alerts.js';
import { Journal } from '../journal/journal.js';
import { type RecoveryOutcome, recoverJournal } from '../journal/recover.js';
import { FaultlineMetrics } from '../observe/metrics.js';
import { openControlDb } from '../safety/control-db.js';
import { activeHalt, describeHalt, operator } from '../safety/halt.js';
import { Scheduler } from '../schedule/scheduler.js';
import type { AnchorRecord } from '../store/audit-anchor.js';
import type { DaemonStore } from '../store/daemon-store.js';
import type { GameDayStore } from '../store/gameday-store.js';
import { openDaemonStore, openGameDayStore } from '../store/open.js';
import { UserError } from '../util/errors.js';
import { faultlineHome } from '../util/home.js';
import { inputName, readInputText } from '../util/input-file.js';
import { ownerIsAlive } from '../util/owner.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { buildApp } from './app.js';
import { Authenticator } from './auth.js';
import { Documents } from './documents.js';
import { EventBus } from './events.js';
import { GameDayManager } from './gamedays.js';
import { DaemonMetrics } from './metrics.js';
import { ProjectSource } from './project.js';
import { RunManager } from './runs.js';
import type { DaemonOptions, DaemonServices } from './services.js';

/** Sends each new anchor to the log or a webhook; a webhook that fails is reported in the log, never fatal. */
function shipAnchor(where: string, log: (line: string) => void): (anchor: AnchorRecord) => void {
  const line = (a: AnchorRecord) => `audit anchor: ${a.seq} entries, head ${a.hash} at ${a.at}`;
  if (where === 'log') return (anchor) => log(line(anchor));
  return (anchor) => {
    fetch(where, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(anchor),
      signal: AbortSignal.timeout(5000),
    })
      .then((res) => {
        if (!res.ok) log(`${line(anchor)}: the webhook ${where} answered ${res.status}`);
      })
      .catch((error: Error) => log(`${line(anchor)}: the webhook ${where} failed: ${error.message}`));
  };
}

export class Daemon implements DaemonServices {
  readonly bus = new EventBus();
  readonly alerts = new AlertHub();
  readonly metrics = new FaultlineMetrics();
  readonly auth: Authenticator;
  readonly documents: Documents;
  readonly runs: RunManager;
  /** the game days this daemon runs (POST /api/v1/gamedays) */
  readonly gameDayRuns: GameDayManager;
  readonly scheduler: Scheduler;
  readonly daemonMetrics: DaemonMetrics;
  readonly startedAt = new Date().toISOString();
  url = '';
  private server: Server | null = null;
  private stopping: Promise<void> | null = null;
  private gameDayStore: Promise<GameDayStore> | null = null;

  private constructor(
    readonly store: DaemonStore,
    readonly journal: Journal,
    readonly control: SqliteDatabase,
    readonly project: ProjectSource,
    readonly options: DaemonOptions,
    readonly log: (line: string) => void,
  ) {
    this.auth = new Authenticator(store);
    this.documents = new Documents(store, project);
    this.runs = new RunManager({ store, journal, control, alerts: this.alerts, bus: this.bus, metrics: this.metrics, log });
    this.gameDayRuns = new GameDayManager({ runs: this.runs, control, gameDays: () => this.gameDays(), bus: this.bus, log });
    this.scheduler = new Scheduler({
      store,
      definitionOf: (stored) => this.documents.definitionOf(stored),
      experimentOf: (definition) => this.documents.scheduledExperiment(definition),
      startRun: async (definition, experiment, scheduledFor) => {
        const run = await this.runs.start(experiment, {
          trigger: 'schedule',
          actor: `schedule ${definition.name}`,
          schedule: definition.name,
          scheduledFor: scheduledFor.toISOString(),
        });
        return { runId: run.runId, done: run.done.then(() => {}) };
      },
      refusal: () => {
        const halted = activeHalt(control);
        return halted ? describeHalt(halted) : null;
      },
      onOccurrence: (o) => {
        this.daemonMetrics.occurrence(o.schedule, o.outcome);
        this.bus.daemon.publish('occurrence', o);
      },
      log: (line) => log(line),
    });
    this.daemonMetrics = new DaemonMetrics(this.metrics.registry, this);
  }

  /** Opens everything, recovers, and listens. */
  static async start(options: DaemonOptions = {}): Promise<Daemon> {
    const log = options.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} faultline serve: ${line}\n`));
    const home = faultlineHome();
    const store = await openDaemonStore(options.store ?? 'sqlite');
    const journal = new Journal();
    const control = openControlDb();
    const project = new ProjectSource(store, options.project ?? null, home);
    const daemon = new Daemon(store, journal, control, project, options, log);
    if (options.shipAuditAnchor) store.auditAnchor.onAdvance = shipAnchor(options.shipAuditAnchor, log);
    try {
      for (const r of await daemon.recover()) log(`recovery: ${r.detail}`);
      const orphaned = await store.endOrphanedRuns(
        (owner) => ownerIsAlive(owner),
        'the daemon running it stopped before the run ended; its faults were reverted from the journal when a daemon started again',
      );
      if (orphaned.length) log(`ended ${orphaned.length} run(s) of a daemon that died: ${orphaned.join(', ')}`);
      await project.refresh();
      for (const file of options.apply ?? []) await daemon.apply(file);
      await daemon.scheduler.start();
      await daemon.listen(options.host ?? '127.0.0.1', options.port ?? 8080);
    } catch (error) {
      await daemon.close();
      throw error;
    }
    log(`listening on ${daemon.url} (store ${store.kind} ${store.location}; ${daemon.scheduler.names().length} schedule(s))`);
    return daemon;
  }

  /** Game days (approvals, findings) in the same database as the store; opened when first needed. */
  gameDays(): Promise<GameDayStore> {
    this.gameDayStore ??= openGameDayStore(this.options.store ?? 'sqlite');
    return this.gameDayStore;
  }

  /** `--apply FILE`: stores its documents, audited as the operator who started the daemon. */
  private async apply(file: string): Promise<void> {
    const text = readInputText(file, '--apply');
    const who = operator();
    const name = inputName(file); // `-`: standard input, named <stdin> in messages and the audit log
    const { experiments, schedules } = await this.documents.applyFile(name, text, who);
    await this.store.appendAudit({
      actor: who,
      role: 'admin',
      action: 'apply',
      resource: name,
      source: 'cli',
      outcome: 'ok',
      detail: `experiments: ${experiments.join(', ') || '-'}; schedules: ${schedules.join(', ') || '-'}`,
    });
    this.log(`applied ${name}: ${experiments.length} experiment(s), ${schedules.length} schedule(s)`);
  }

  /** What the journal shows applied by runs that are gone. */
  private async recover(): Promise<RecoveryOutcome[]> {
    return (await recoverJournal(this.journal)).filter((r) => r.action !== 'skipped-live-run');
  }

  private listen(host: string, port: number): Promise<void> {
    const app = buildApp(this);
    return new Promise((resolve, reject) => {
      const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
        const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        this.url = `http://${shown}:${info.port}`;
        resolve();
      }) as Server;
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new UserError(
            `cannot listen on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the address is in use; choose another --listen' : error.message}`,
          ),
        ),
      );
      // SSE streams are long-lived; no request timeout for them, but headers must come quickly
      server.headersTimeout = 30_000;
      server.requestTimeout = 0;
      this.server = server;
    });
  }

  /** SIGTERM: stop scheduling, stop every run (they revert), store them, close. Safe to call twice. */
  stop(reason = 'the daemon is stopping (SIGTERM)'): Promise<void> {
    this.stopping ??= (async () => {
      this.log(`stopping: ${reason}`);
      this.scheduler.stop();
      // game days first, so that none starts another run; each records which stages ran
      const gameDays = this.gameDayRuns.stopAll(reason);
      const running = this.runs.list();
      if (running.length) this.log(`stopping ${running.length} run(s); each reverts its faults: ${running.map((r) => r.runId).join(', ')}`);
      await this.runs.drain(reason);
      await gameDays;
      await this.scheduler.idle();
      await this.close();
      this.log('stopped');
    })();
    return this.stopping;
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.journal.close();
    this.control.close();
    await (await this.gameDayStore?.catch(() => null))?.close();
    await this.store.close();
  }
}
