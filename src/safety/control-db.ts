/**
 * Host-local safety state in `$FAULTLINE_HOME/control.db`: the halt switch, the runs in progress and
 * the target locks. Every faultline process on this host shares it.
 */
import { join } from 'node:path';
import { faultlineHome } from '../util/home.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS halts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  reason TEXT NOT NULL,
  who TEXT NOT NULL,
  at TEXT NOT NULL,
  lifted_at TEXT,
  lifted_by TEXT
);
CREATE TABLE IF NOT EXISTS active_runs (
  run_id TEXT PRIMARY KEY,
  experiment TEXT NOT NULL,
  pid INTEGER NOT NULL,
  start TEXT NOT NULL,
  host TEXT NOT NULL,
  started_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS locks (
  key TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  run_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  start TEXT NOT NULL,
  host TEXT NOT NULL,
  acquired_at TEXT NOT NULL
);
`;

export function openControlDb(file: string = join(faultlineHome(), 'control.db')): SqliteDatabase {
  return openSqlite(file, SCHEMA);
}
