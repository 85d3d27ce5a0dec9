/**
 * What the game-day commands share: the store (`--store`, the same database as the daemon's), the
 * report of a game-day run with its runs' reports, and the audit entry of what a person did from the CLI.
 */
import { type GameDayReport, loadGameDayReport } from '../programme/gameday-report.js';
import { operator } from '../safety/halt.js';
import type { AuditInput } from '../store/audit-store.js';
import type { GameDayRecord, GameDayStore } from '../store/gameday-store.js';
import { openDaemonStore, openGameDayStore } from '../store/open.js';
import { UserError } from '../util/errors.js';

export async function withGameDayStore<T>(spec: string, work: (store: GameDayStore) => Promise<T>): Promise<T> {
  const store = await openGameDayStore(spec);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function findGameDay(store: GameDayStore, id: string): Promise<GameDayRecord> {
  const found = await store.get(id);
  if (found === 'ambiguous')
    throw new UserError(`game-day run ${id} matches several; give more of its id (see \`faultline gameday list\`)`);
  if (!found) throw new UserError(`no game-day run ${id}; list them with \`faultline gameday list\``);
  return found;
}

/** The game-day report, with the reports of its runs from the run store of the same database. */
export async function gameDayReport(spec: string, store: GameDayStore, record: GameDayRecord): Promise<GameDayReport> {
  const runs = await openDaemonStore(spec);
  try {
    return await loadGameDayReport(record, store, runs);
  } finally {
    await runs.close();
  }
}

/** Appends what a person did from the CLI to the audit log the daemon keeps (same database, same chain). */
export async function auditCli(spec: string, entry: Omit<AuditInput, 'actor' | 'role' | 'source' | 'outcome'>): Promise<void> {
  const store = await openDaemonStore(spec);
  try {
    await store.appendAudit({ ...entry, actor: operator(), role: 'cli', source: 'cli', outcome: 'ok' });
  } finally {
    await store.close();
  }
}
