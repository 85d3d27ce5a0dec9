/**
 * SQL both daemon stores share: the daemon's tables (SQLite dialect; PostgreSQL's are in
 * postgres-daemon-store.ts), the run columns, and the WHERE clauses of the run and audit filters.
 * Placeholders differ by dialect (`?` against `$1`), so the filters take `arg`, which records a
 * value and returns its placeholder; the values come out in the order the clauses name them.
 */
import type { AuditFilter } from './audit-store.js';
import { ConflictError } from './documents-store.js';
import type { RunFilter } from './runs-store.js';

export const DAEMON_TABLES = `
CREATE TABLE IF NOT EXISTS run_meta (
  run_id TEXT PRIMARY KEY,
  trigger_kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  schedule TEXT,
  scheduled_for TEXT,
  owner_pid INTEGER NOT NULL,
  owner_start TEXT NOT NULL,
  owner_host TEXT NOT NULL,
  mttd_ms REAL,
  mttr_ms REAL,
  availability REAL
);
CREATE INDEX IF NOT EXISTS run_meta_schedule ON run_meta (schedule);
CREATE INDEX IF NOT EXISTS runs_experiment_started ON runs (experiment, started_at);
CREATE INDEX IF NOT EXISTS runs_verdict_started ON runs (verdict, started_at);
CREATE TABLE IF NOT EXISTS experiments (
  name TEXT PRIMARY KEY,
  yaml TEXT NOT NULL,
  labels TEXT NOT NULL,
  hypothesis TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedules (
  name TEXT PRIMARY KEY,
  yaml TEXT NOT NULL,
  labels TEXT NOT NULL,
  cron TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  experiment_ref TEXT,
  suspended INTEGER NOT NULL,
  last_scheduled_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_occurrences (
  schedule TEXT NOT NULL,
  scheduled_for TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL,
  run_id TEXT,
  PRIMARY KEY (schedule, scheduled_for)
);
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  description TEXT NOT NULL,
  salt TEXT NOT NULL,
  hash TEXT NOT NULL,
  scope TEXT,
  capabilities TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
  id_hash TEXT PRIMARY KEY,
  token_id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  source TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/**
 * The figures every view lists beside a run, copied from its report into `runs` by the one code that
 * records a run, whoever started it (CLI, daemon, schedule): the views show exactly the report's numbers.
 */
export const RUN_FIGURE_COLUMNS = ['mttd_ms', 'mttr_ms', 'availability'] as const;

/** The columns of a `RunRow`, from `runs r LEFT JOIN run_meta m`. */
export const RUN_COLUMNS = `r.id, r.experiment, r.file, r.verdict, r.reason, r.started_at, r.ended_at, r.seed,
  m.trigger_kind, m.actor, m.schedule, m.scheduled_for, r.mttd_ms, r.mttr_ms, r.availability`;

/** `UPDATE runs SET ...` of a finished run: its verdict, its report and its figures, in the order of `finishedRunValues`. */
export function finishRunSql(arg: Placeholder, values: readonly unknown[]): string {
  const columns = ['verdict', 'reason', 'ended_at', 'report', ...RUN_FIGURE_COLUMNS];
  const sets = columns.map((column, i) => `${column} = ${arg(values[i])}`);
  return `UPDATE runs SET ${sets.join(', ')} WHERE id = ${arg(values[columns.length])}`;
}

/** Records a value for the query and returns its placeholder. */
export type Placeholder = (value: unknown) => string;

/** `WHERE a AND b`, or nothing when there are no conditions. */
export function whereClause(conditions: readonly string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

export function runFilterConditions(filter: RunFilter, arg: Placeholder): string[] {
  const where: string[] = [];
  if (filter.experiment) where.push(`r.experiment = ${arg(filter.experiment)}`);
  if (filter.verdict === 'running') where.push('r.verdict IS NULL');
  else if (filter.verdict) where.push(`r.verdict = ${arg(filter.verdict)}`);
  if (filter.schedule) where.push(`m.schedule = ${arg(filter.schedule)}`);
  if (filter.trigger === 'cli') where.push('m.run_id IS NULL');
  else if (filter.trigger) where.push(`m.trigger_kind = ${arg(filter.trigger)}`);
  if (filter.since) where.push(`r.started_at >= ${arg(filter.since)}`);
  if (filter.until) where.push(`r.started_at < ${arg(filter.until)}`);
  if (filter.before) where.push(`(r.started_at, r.id) < (${arg(filter.before.startedAt)}, ${arg(filter.before.id)})`);
  return where;
}

export function auditFilterConditions(filter: AuditFilter, arg: Placeholder): string[] {
  const where: string[] = [];
  if (filter.actor) where.push(`actor = ${arg(filter.actor)}`);
  if (filter.action) where.push(`action LIKE ${arg(`${filter.action}%`)}`);
  if (filter.outcome) where.push(`outcome = ${arg(filter.outcome)}`);
  if (filter.beforeSeq !== undefined) where.push(`seq < ${arg(filter.beforeSeq)}`);
  return where;
}

/**
 * Fails a put of documents when `replace` does not match what exists: a create must not find the
 * name, a replace must find it. `exists` says whether a name is stored.
 */
export function checkDocumentPresence(
  what: string,
  docs: readonly { name: string }[],
  replace: boolean,
  exists: (name: string) => boolean,
): void {
  const clash = docs.filter((d) => exists(d.name) !== replace).map((d) => d.name);
  if (!clash.length) return;
  throw new ConflictError(
    replace ? `no ${what} named ${clash.join(', ')}; create it first` : `${what} ${clash.join(', ')} exists already; replace it with PUT`,
    clash,
  );
}
