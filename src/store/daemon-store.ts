/**
 * The daemon's state, behind small interfaces by concern, each with two implementations: SQLite (the
 * default, in `$FAULTLINE_HOME/runs.db` beside the CLI's runs, so `faultline runs` lists the daemon's
 * too) and PostgreSQL for a team (`faultline serve --store postgres://...`). Every method is async so
 * both fit. DaemonStore is all of them plus the lifecycle; a caller that needs one concern takes that one.
 *
 *   RunsStore        runs-store.ts        runs + samples + events, where each run came from, orphaned runs
 *   DocumentsStore   documents-store.ts   experiments, as YAML text (re-parsed at run time)
 *   SchedulesStore   schedules-store.ts   schedules, their occurrences (unique: a restart, or a second
 *                                         daemon on the same database, never doubles a run) and history
 *   IdentitiesStore  identities-store.ts  users, tokens, sessions: secrets only as hashes
 *   AuditStore       audit-store.ts       append-only, hash-chained, its head anchored outside the database
 *   SettingsStore    settings-store.ts    the project stored through the API
 */
import type { AuditStore } from './audit-store.js';
import type { DocumentsStore } from './documents-store.js';
import type { IdentitiesStore } from './identities-store.js';
import type { RunsStore } from './runs-store.js';
import type { SchedulesStore } from './schedules-store.js';
import type { SettingsStore } from './settings-store.js';

export type { AuditEntry, AuditFilter, AuditInput, AuditStore } from './audit-store.js';
export { ConflictError, type DocumentsStore, type StoredDocument, type StoredExperiment } from './documents-store.js';
export type { IdentitiesStore, SessionRecord, TokenRecord, TokenSecretRecord, UserRecord } from './identities-store.js';
export type { RunFilter, RunOrigin, RunRow, RunsStore } from './runs-store.js';
export type { Occurrence, OccurrenceOutcome, SchedulesStore, StoredSchedule } from './schedules-store.js';
export type { SettingsStore } from './settings-store.js';

export interface DaemonStore extends RunsStore, DocumentsStore, SchedulesStore, IdentitiesStore, AuditStore, SettingsStore {
  readonly kind: 'sqlite' | 'postgres';
  /** where it is, without any password */
  readonly location: string;
  close(): Promise<void>;
}
