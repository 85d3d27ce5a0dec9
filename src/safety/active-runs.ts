/** The runs in progress on this host, so that `faultline halt` and `faultline runs` can name them. */
import { ownerIsAlive, selfOwner } from '../util/owner.js';
import type { SqliteDatabase } from '../util/sqlite.js';

export interface ActiveRun {
  runId: string;
  experiment: string;
  pid: number;
  startedAt: string;
}

export function registerRun(db: SqliteDatabase, runId: string, experiment: string): void {
  const owner = selfOwner();
  db.prepare('INSERT OR REPLACE INTO active_runs (run_id, experiment, pid, start, host, started_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    runId,
    experiment,
    owner.pid,
    owner.start,
    owner.host,
    new Date().toISOString(),
  );
}

export function unregisterRun(db: SqliteDatabase, runId: string): void {
  db.prepare('DELETE FROM active_runs WHERE run_id = ?').run(runId);
}

/** Runs whose process is alive; entries of dead runs are dropped on the way. */
export function activeRuns(db: SqliteDatabase): ActiveRun[] {
  const rows = db.prepare('SELECT run_id, experiment, pid, start, host, started_at FROM active_runs').all() as {
    run_id: string;
    experiment: string;
    pid: number;
    start: string;
    host: string;
    started_at: string;
  }[];
  const alive: ActiveRun[] = [];
  for (const row of rows) {
    if (ownerIsAlive({ pid: row.pid, start: row.start, host: row.host })) {
      alive.push({ runId: row.run_id, experiment: row.experiment, pid: row.pid, startedAt: row.started_at });
    } else {
      unregisterRun(db, row.run_id);
    }
  }
  return alive;
}
