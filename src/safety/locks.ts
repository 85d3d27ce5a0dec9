/**
 * Target locks: two runs never hit the same target at once. A run takes the locks of every target it
 * selected before any harm, waiting up to `guards.lock.wait` for another run to release them, and
 * releases them when it ends. A lock whose run died is taken over.
 */
import { ownerIsAlive, selfOwner } from '../util/owner.js';
import { sleep } from '../util/sleep.js';
import type { SqliteDatabase } from '../util/sqlite.js';

export interface LockRequest {
  /** what identifies the target on this host: `process:<pid>:<start time>` or `target:<name>` */
  key: string;
  /** how the target is named in messages */
  target: string;
}

export interface LockHolder {
  key: string;
  target: string;
  runId: string;
  pid: number;
}

interface LockRow {
  key: string;
  target: string;
  run_id: string;
  pid: number;
  start: string;
  host: string;
}

/** Locks held by other live runs among `requests`. */
export function conflictingLocks(db: SqliteDatabase, runId: string, requests: readonly LockRequest[]): LockHolder[] {
  const find = db.prepare('SELECT key, target, run_id, pid, start, host FROM locks WHERE key = ?');
  const holders: LockHolder[] = [];
  for (const request of requests) {
    const row = find.get(request.key) as LockRow | undefined;
    if (!row || row.run_id === runId) continue;
    if (ownerIsAlive({ pid: row.pid, start: row.start, host: row.host })) {
      holders.push({ key: row.key, target: row.target, runId: row.run_id, pid: row.pid });
    }
  }
  return holders;
}

/** Takes every lock at once, or none: true when taken, false when another live run holds one. */
export function tryLock(db: SqliteDatabase, runId: string, requests: readonly LockRequest[]): boolean {
  const owner = selfOwner();
  const insert = db.prepare(
    'INSERT OR REPLACE INTO locks (key, target, run_id, pid, start, host, acquired_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // IMMEDIATE: the check and the insert are one step for every faultline process on this host
  return db
    .transaction(() => {
      if (conflictingLocks(db, runId, requests).length) return false;
      const now = new Date().toISOString();
      for (const r of requests) insert.run(r.key, r.target, runId, owner.pid, owner.start, owner.host, now);
      return true;
    })
    .immediate();
}

/** Waits up to `waitMs` for the locks; returns the holders that still block, or [] once locked. */
export async function acquireLocks(
  db: SqliteDatabase,
  runId: string,
  requests: readonly LockRequest[],
  waitMs: number,
  signal?: AbortSignal,
): Promise<LockHolder[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (tryLock(db, runId, requests)) return [];
    if (Date.now() >= deadline || signal?.aborted) return conflictingLocks(db, runId, requests);
    await sleep(Math.min(250, deadline - Date.now()), signal);
  }
}

export function releaseLocks(db: SqliteDatabase, runId: string): void {
  db.prepare('DELETE FROM locks WHERE run_id = ?').run(runId);
}
