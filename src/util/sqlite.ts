/** Opens a SQLite database for durable writes: WAL, full sync, and a busy timeout for concurrent runs. */
import Database from 'better-sqlite3';
import { UserError } from './errors.js';

export type SqliteDatabase = Database.Database;

export function openSqlite(file: string, schema: string): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file);
  } catch (error) {
    throw new UserError(`cannot open ${file}: ${(error as Error).message}; check FAULTLINE_HOME`);
  }
  db.pragma('journal_mode = WAL');
  // FULL: a journal entry is on disk before the fault it records is applied, even if the machine loses power.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  return db;
}
