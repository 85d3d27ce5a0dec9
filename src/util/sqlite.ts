/** Opens a SQLite database for durable writes: WAL, full sync, and a busy timeout for concurrent runs. */
import Database from 'better-sqlite3';
import { UserError } from './errors.js';

export type SqliteDatabase = Database.Database;

/** SQLite's answer when another connection held the write lock for longer than the busy timeout. */
export function isLocked(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
}

/** `busyTimeoutMs`: how long a write waits for another connection's write lock before it fails. */
export function openSqlite(file: string, schema: string, busyTimeoutMs = 5000): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file);
  } catch (error) {
    throw new UserError(`cannot open ${file}: ${(error as Error).message}; check FAULTLINE_HOME`);
  }
  db.pragma('journal_mode = WAL');
  // FULL: a journal entry is on disk before the fault it records is applied, even if the machine loses power.
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Math.round(busyTimeoutMs)}`);
  db.exec(schema);
  return db;
}
