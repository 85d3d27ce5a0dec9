/**
 * The write-ahead record of injections. An entry is written (and synced) before its fault is applied
 * and closed after the fault is reverted, so whatever dies, `faultline recover` knows what to undo.
 *
 *   open:   applying -> active -> (revert fails: revert-failed)
 *           reverting (claimed by one process: the runner's guardian, or `faultline recover`)
 *   closed: reverted (with who reverted it: the run itself, its guardian, or recover)
 *
 * A claim keeps two processes from reverting one entry at once; a claim whose process died is void.
 */
import { join } from 'node:path';
import { faultlineHome } from '../util/home.js';
import { ownerIsAlive, selfOwner } from '../util/owner.js';
import { sleep } from '../util/sleep.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';

export type EntryStatus = 'applying' | 'active' | 'revert-failed' | 'reverting' | 'reverted';

export interface JournalEntry {
  id: number;
  runId: string;
  experiment: string;
  step: string;
  fault: string;
  target: string;
  /** what the fault's revert needs, as the fault recorded it */
  state: unknown;
  status: EntryStatus;
  ownerPid: number;
  ownerStart: string;
  host: string;
  createdAt: string;
  revertedAt: string | null;
  /** who reverted it: `run`, `guardian (...)`, `recover` */
  revertedBy: string | null;
  error: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS injections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  experiment TEXT NOT NULL,
  step TEXT NOT NULL,
  fault TEXT NOT NULL,
  target TEXT NOT NULL,
  state TEXT NOT NULL,
  status TEXT NOT NULL,
  owner_pid INTEGER NOT NULL,
  owner_start TEXT NOT NULL,
  host TEXT NOT NULL,
  created_at TEXT NOT NULL,
  reverted_at TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS injections_open ON injections (status) WHERE status != 'reverted';
`;

/** Columns added after the first release: added to an older journal when it is opened. */
const ADDED_COLUMNS = [
  ['reverted_by', 'TEXT'],
  ['claim_pid', 'INTEGER'],
  ['claim_start', 'TEXT'],
] as const;

interface Row {
  id: number;
  run_id: string;
  experiment: string;
  step: string;
  fault: string;
  target: string;
  state: string;
  status: EntryStatus;
  owner_pid: number;
  owner_start: string;
  host: string;
  created_at: string;
  reverted_at: string | null;
  reverted_by: string | null;
  claim_pid: number | null;
  claim_start: string | null;
  error: string | null;
}

function fromRow(row: Row): JournalEntry {
  return {
    id: row.id,
    runId: row.run_id,
    experiment: row.experiment,
    step: row.step,
    fault: row.fault,
    target: row.target,
    state: JSON.parse(row.state),
    status: row.status,
    ownerPid: row.owner_pid,
    ownerStart: row.owner_start,
    host: row.host,
    createdAt: row.created_at,
    revertedAt: row.reverted_at,
    revertedBy: row.reverted_by,
    error: row.error,
  };
}

export class Journal {
  private readonly db: SqliteDatabase;

  /** `busyTimeoutMs`: how long a write waits for another process's (see openSqlite) */
  constructor(
    readonly file: string = join(faultlineHome(), 'journal.db'),
    options: { busyTimeoutMs?: number } = {},
  ) {
    this.db = openSqlite(file, SCHEMA, options.busyTimeoutMs);
    const columns = new Set((this.db.prepare('PRAGMA table_info(injections)').all() as { name: string }[]).map((c) => c.name));
    for (const [name, type] of ADDED_COLUMNS) if (!columns.has(name)) this.db.exec(`ALTER TABLE injections ADD COLUMN ${name} ${type}`);
  }

  /**
   * Takes the entry for reverting it, so that no other process reverts it at the same time. False when
   * it is reverted already, or being reverted by another live process.
   */
  claim(id: number): boolean {
    const me = selfOwner();
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT status, claim_pid, claim_start, host FROM injections WHERE id = ?').get(id) as
          | Pick<Row, 'status' | 'claim_pid' | 'claim_start' | 'host'>
          | undefined;
        if (!row || row.status === 'reverted') return false;
        if (row.status === 'reverting' && !(row.claim_pid === me.pid && row.claim_start === me.start)) {
          if (ownerIsAlive({ pid: row.claim_pid ?? 0, start: row.claim_start ?? '', host: row.host })) return false;
        }
        this.db
          .prepare(`UPDATE injections SET status = 'reverting', claim_pid = ?, claim_start = ? WHERE id = ?`)
          .run(me.pid, me.start, id);
        return true;
      })
      .immediate();
  }

  /** The live process reverting the entry now, if another one is. */
  claimedByOther(id: number): number | null {
    const row = this.db.prepare('SELECT status, claim_pid, claim_start, host FROM injections WHERE id = ?').get(id) as
      | Pick<Row, 'status' | 'claim_pid' | 'claim_start' | 'host'>
      | undefined;
    if (row?.status !== 'reverting' || !row.claim_pid) return null;
    const me = selfOwner();
    if (row.claim_pid === me.pid && row.claim_start === me.start) return null;
    return ownerIsAlive({ pid: row.claim_pid, start: row.claim_start ?? '', host: row.host }) ? row.claim_pid : null;
  }

  /** While another live process reverts the entry, waits (bounded): a revert is never run twice at once. */
  async waitForOtherReverter(id: number, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.claimedByOther(id) !== null && Date.now() < until) await sleep(20);
  }

  get(id: number): JournalEntry | undefined {
    const row = this.db.prepare('SELECT * FROM injections WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Records an injection before it is applied. Returns the entry id. */
  begin(entry: { runId: string; experiment: string; step: string; fault: string; target: string; state: unknown }): number {
    const owner = selfOwner();
    const result = this.db
      .prepare(
        `INSERT INTO injections (run_id, experiment, step, fault, target, state, status, owner_pid, owner_start, host, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'applying', ?, ?, ?, ?)`,
      )
      .run(
        entry.runId,
        entry.experiment,
        entry.step,
        entry.fault,
        entry.target,
        JSON.stringify(entry.state ?? null),
        owner.pid,
        owner.start,
        owner.host,
        new Date().toISOString(),
      );
    return Number(result.lastInsertRowid);
  }

  /** Replaces what revert needs (a fault learns more as it applies: the pid of a command it started). */
  updateState(id: number, state: unknown): void {
    this.db.prepare('UPDATE injections SET state = ? WHERE id = ?').run(JSON.stringify(state ?? null), id);
  }

  markActive(id: number): void {
    this.db.prepare(`UPDATE injections SET status = 'active' WHERE id = ? AND status = 'applying'`).run(id);
  }

  /** Closes the entry; the first to revert it is kept as who did. */
  markReverted(id: number, by = 'run'): void {
    this.db
      .prepare(
        `UPDATE injections SET status = 'reverted', reverted_at = COALESCE(reverted_at, ?), reverted_by = COALESCE(reverted_by, ?),
         error = NULL, claim_pid = NULL, claim_start = NULL WHERE id = ?`,
      )
      .run(new Date().toISOString(), by, id);
  }

  markRevertFailed(id: number, error: string): void {
    this.db
      .prepare(`UPDATE injections SET status = 'revert-failed', error = ?, claim_pid = NULL, claim_start = NULL WHERE id = ?`)
      .run(error, id);
  }

  /** Entries whose fault may still be in effect. */
  open(): JournalEntry[] {
    return (this.db.prepare(`SELECT * FROM injections WHERE status != 'reverted' ORDER BY id`).all() as Row[]).map(fromRow);
  }

  entriesOfRun(runId: string): JournalEntry[] {
    return (this.db.prepare(`SELECT * FROM injections WHERE run_id = ? ORDER BY id`).all(runId) as Row[]).map(fromRow);
  }

  close(): void {
    this.db.close();
  }
}

/** True when the process that wrote the entry is still running (so its run will revert it itself). */
export function entryOwnerIsAlive(entry: Pick<JournalEntry, 'ownerPid' | 'ownerStart' | 'host'>): boolean {
  return ownerIsAlive({ pid: entry.ownerPid, start: entry.ownerStart, host: entry.host });
}
