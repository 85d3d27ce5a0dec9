/**
 * What notifications must remember between runs: the PagerDuty incidents faultline triggered and has not
 * resolved yet, so the next passing run of the same experiment resolves them (and a passing run with no
 * open incident sends nothing). Kept in `$FAULTLINE_HOME/notifications.db`; the routing key is stored
 * only as a hash.
 */
import { join } from 'node:path';
import { faultlineHome } from '../../util/home.js';
import { openSqlite, type SqliteDatabase } from '../../util/sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS open_incidents (
  service TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  run_id TEXT NOT NULL,
  triggered_at TEXT NOT NULL,
  PRIMARY KEY (service, dedup_key)
);
`;

export class NotifyState {
  private db: SqliteDatabase | undefined;
  constructor(private readonly file: string = join(faultlineHome(), 'notifications.db')) {}

  private open(): SqliteDatabase {
    this.db ??= openSqlite(this.file, SCHEMA);
    return this.db;
  }

  isOpen(service: string, dedupKey: string): boolean {
    return this.open().prepare('SELECT 1 FROM open_incidents WHERE service = ? AND dedup_key = ?').get(service, dedupKey) !== undefined;
  }

  markOpen(service: string, dedupKey: string, runId: string): void {
    this.open()
      .prepare('INSERT OR REPLACE INTO open_incidents (service, dedup_key, run_id, triggered_at) VALUES (?, ?, ?, ?)')
      .run(service, dedupKey, runId, new Date().toISOString());
  }

  markResolved(service: string, dedupKey: string): void {
    this.open().prepare('DELETE FROM open_incidents WHERE service = ? AND dedup_key = ?').run(service, dedupKey);
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}
