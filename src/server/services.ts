/**
 * What the daemon offers its routes, its dashboard and its metrics: the services, not the class that
 * starts them (daemon.ts), so that routes depend on this small file and the daemon on its routes, one way.
 */
import type { AlertHub } from '../engine/alerts.js';
import type { Journal } from '../journal/journal.js';
import type { FaultlineMetrics } from '../observe/metrics.js';
import type { Scheduler } from '../schedule/scheduler.js';
import type { DaemonStore } from '../store/daemon-store.js';
import type { GameDayStore } from '../store/gameday-store.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import type { Authenticator } from './auth.js';
import type { Documents } from './documents.js';
import type { EventBus } from './events.js';
import type { GameDayManager } from './gamedays.js';
import type { ProjectSource } from './project.js';
import type { RunManager } from './runs.js';

export interface DaemonOptions {
  /** `sqlite` (default), `sqlite:PATH`, or `postgres://...` */
  store?: string;
  host?: string;
  /** 0 picks a free port */
  port?: number;
  /** the project file; null: none, or the one stored through the API */
  project?: string | null;
  /** files whose Experiment and Schedule documents are stored at start (created or replaced) */
  apply?: string[];
  /** largest request body, bytes (default 1 MiB) */
  maxBodyBytes?: number;
  /** take the client address from X-Forwarded-For (behind a reverse proxy) */
  trustProxy?: boolean;
  /** mark the session cookie Secure (behind HTTPS) */
  secureCookies?: boolean;
  /** where each new anchor of the audit chain is sent too: 'log', or a webhook URL (JSON POST) */
  shipAuditAnchor?: string;
  log?: (line: string) => void;
}

export interface DaemonServices {
  readonly bus: EventBus;
  readonly alerts: AlertHub;
  readonly metrics: FaultlineMetrics;
  readonly auth: Authenticator;
  readonly documents: Documents;
  readonly runs: RunManager;
  /** the game days this daemon is running */
  readonly gameDayRuns: GameDayManager;
  readonly scheduler: Scheduler;
  /** the daemon's own metrics (metrics.ts): one call per answered request */
  readonly daemonMetrics: { request(method: string, route: string, status: number, seconds: number): void };
  readonly startedAt: string;
  readonly url: string;
  readonly store: DaemonStore;
  readonly journal: Journal;
  readonly control: SqliteDatabase;
  readonly project: ProjectSource;
  readonly options: DaemonOptions;
  readonly log: (line: string) => void;
  gameDays(): Promise<GameDayStore>;
  stop(reason?: string): Promise<void>;
}
