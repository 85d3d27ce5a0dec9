/** The daemon's tables (SQLite dialect; PostgreSQL's are in postgres-daemon-store.ts) and row mappings both stores share. */
import type { Verdict } from '../report/types.js';
import type { RunRow } from './daemon-store.js';

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

export interface RunRowColumns {
  id: string;
  experiment: string;
  file: string | null;
  verdict: string | null;
  reason: string | null;
  started_at: string;
  ended_at: string | null;
  seed: number | string;
  trigger_kind: string | null;
  actor: string | null;
  schedule: string | null;
  scheduled_for: string | null;
  mttd_ms: number | null;
  mttr_ms: number | null;
  availability: number | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function runRowOf(r: RunRowColumns): RunRow {
  return {
    id: r.id,
    experiment: r.experiment,
    file: r.file,
    verdict: r.verdict as Verdict | null,
    reason: r.reason,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    seed: Number(r.seed),
    trigger: r.trigger_kind as RunRow['trigger'],
    actor: r.actor,
    schedule: r.schedule,
    scheduledFor: r.scheduled_for,
    mttdMs: num(r.mttd_ms),
    mttrMs: num(r.mttr_ms),
    availability: num(r.availability),
  };
}
