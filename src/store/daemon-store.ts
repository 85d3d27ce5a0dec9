/**
 * The daemon's state, behind one small interface with two implementations: SQLite (the default, in
 * `$FAULTLINE_HOME/runs.db` beside the CLI's runs, so `faultline runs` lists the daemon's too) and
 * PostgreSQL for a team (`faultline serve --store postgres://...`). Every method is async so both fit.
 *
 *   runs + samples + events   what the engine records (RunRecorder), with where each run came from
 *   experiments, schedules    the documents the API stores, as YAML text (re-parsed at run time)
 *   schedule_occurrences      one row per cron occurrence decided: started, skipped, missed; unique,
 *                             so a restart (or a second daemon on the same database) never doubles a run
 *   users, tokens, sessions   secrets only as hashes
 *   audit                     append-only, hash-chained, its head anchored outside the database
 */
import type { Capability, Role, TokenScope } from '../auth/roles.js';
import type { Sample } from '../probes/sample.js';
import type { RunReport, Verdict } from '../report/types.js';
import type { AuditAnchor } from './audit-anchor.js';
import type { RunStart } from './recorder.js';

export interface RunOrigin {
  trigger: 'api' | 'schedule';
  /** the user who started it, or `schedule NAME` */
  actor: string;
  schedule: string | null;
  /** the cron occurrence, ISO */
  scheduledFor: string | null;
  /** the daemon process that runs it: a run whose process died is marked when a daemon starts */
  owner: { pid: number; start: string; host: string };
}

export interface RunRow {
  id: string;
  experiment: string;
  file: string | null;
  verdict: Verdict | null;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
  seed: number;
  /** null for runs the CLI made */
  trigger: 'api' | 'schedule' | null;
  actor: string | null;
  schedule: string | null;
  scheduledFor: string | null;
  mttdMs: number | null;
  mttrMs: number | null;
  availability: number | null;
}

export interface RunFilter {
  experiment?: string;
  /** a verdict, or `running` for runs without one */
  verdict?: Verdict | 'running';
  schedule?: string;
  trigger?: 'api' | 'schedule' | 'cli';
  /** ISO; runs started at or after */
  since?: string;
  /** ISO; runs started before */
  until?: string;
  /** keyset paging: runs strictly older than this one */
  before?: { startedAt: string; id: string };
  limit: number;
}

export interface StoredDocument {
  name: string;
  yaml: string;
  labels: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export interface StoredExperiment extends StoredDocument {
  hypothesis: string;
}

export interface StoredSchedule extends StoredDocument {
  cron: string;
  timeZone: string;
  /** the stored experiment it runs, or null when its experiment is inline */
  experimentRef: string | null;
  suspended: boolean;
  /** the latest occurrence decided (started, skipped or missed), ISO */
  lastScheduledAt: string | null;
}

export type OccurrenceOutcome = 'pending' | 'started' | 'skipped' | 'missed' | 'error';

export interface Occurrence {
  schedule: string;
  scheduledFor: string;
  decidedAt: string;
  outcome: OccurrenceOutcome;
  detail: string;
  runId: string | null;
}

export interface UserRecord {
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
}

export interface TokenRecord {
  id: string;
  user: string;
  description: string;
  scope: TokenScope | null;
  /** what the token may make the host do beyond its role (`exec`) */
  capabilities: Capability[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A token with what verifying it needs; never leaves the server. */
export interface TokenSecretRecord extends TokenRecord {
  salt: string;
  hash: string;
  /** the user's role, null when the user was deleted */
  role: Role | null;
}

export interface SessionRecord {
  tokenId: string;
  user: string;
  createdAt: string;
  expiresAt: string;
}

export interface AuditInput {
  actor: string;
  role: string;
  action: string;
  resource: string;
  /** where the request came from (remote address) */
  source: string;
  outcome: 'ok' | 'denied' | 'error' | 'invalid';
  detail: string;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  outcome?: string;
  beforeSeq?: number;
  limit: number;
}

export interface DaemonStore {
  readonly kind: 'sqlite' | 'postgres';
  /** where it is, without any password */
  readonly location: string;
  close(): Promise<void>;

  startRun(run: RunStart, origin: RunOrigin | null): Promise<void>;
  finishRun(report: RunReport, samples: readonly Sample[]): Promise<void>;
  listRuns(filter: RunFilter): Promise<RunRow[]>;
  getRun(id: string): Promise<RunRow | undefined>;
  getReport(id: string): Promise<RunReport | undefined>;
  getSamples(id: string): Promise<Sample[]>;
  /** runs of daemons that died, still without a verdict: ended as `error` with `reason` */
  endOrphanedRuns(isAlive: (owner: RunOrigin['owner']) => boolean, reason: string): Promise<string[]>;
  unfinishedRunsOfSchedule(schedule: string): Promise<string[]>;
  /** deletes the finished runs of a schedule beyond the `keep` latest, and their occurrences; returns the run ids deleted */
  pruneScheduleHistory(schedule: string, keep: number): Promise<string[]>;

  listExperiments(): Promise<StoredExperiment[]>;
  getExperiment(name: string): Promise<StoredExperiment | undefined>;
  /** creates (or replaces, with `replace`) every experiment at once, or none */
  putExperiments(experiments: StoredExperiment[], replace: boolean): Promise<void>;
  deleteExperiment(name: string): Promise<boolean>;

  listSchedules(): Promise<StoredSchedule[]>;
  getSchedule(name: string): Promise<StoredSchedule | undefined>;
  putSchedules(schedules: StoredSchedule[], replace: boolean): Promise<void>;
  deleteSchedule(name: string): Promise<boolean>;
  setScheduleSuspended(name: string, suspended: boolean, by: string): Promise<boolean>;
  /** records that an occurrence is being decided; false when it already was (by this or another daemon) */
  claimOccurrence(schedule: string, scheduledFor: string): Promise<boolean>;
  settleOccurrence(schedule: string, scheduledFor: string, outcome: OccurrenceOutcome, detail: string, runId: string | null): Promise<void>;
  listOccurrences(schedule: string, limit: number): Promise<Occurrence[]>;
  /** when the latest run of this schedule was started (epoch ms), for minInterval */
  lastStartOf(schedule: string): Promise<number | null>;

  listUsers(): Promise<UserRecord[]>;
  getUser(name: string): Promise<UserRecord | undefined>;
  createUser(user: UserRecord): Promise<void>;
  /** deletes the user and revokes every token of theirs */
  deleteUser(name: string, at: string): Promise<boolean>;
  listTokens(): Promise<TokenRecord[]>;
  createToken(token: TokenSecretRecord): Promise<void>;
  getTokenSecret(id: string): Promise<TokenSecretRecord | undefined>;
  revokeToken(id: string, at: string): Promise<boolean>;
  touchToken(id: string, at: string): Promise<void>;
  createSession(idHash: string, session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;

  /** appends an entry, then moves the anchor (outside the database) to it */
  appendAudit(entry: AuditInput): Promise<AuditEntry>;
  /** the file that holds the chain's head outside the database */
  readonly auditAnchor: AuditAnchor;
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  /** every entry, oldest first, for verifying the chain */
  auditChain(afterSeq: number, limit: number): Promise<AuditEntry[]>;

  getSetting(key: string): Promise<string | undefined>;
  putSetting(key: string, value: string): Promise<void>;
}

/** Thrown by put* when a document that must be new exists, or one to replace does not. */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly names: string[],
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}
