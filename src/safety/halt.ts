/**
 * The halt switch: `faultline halt --reason TEXT` makes every run on this host revert its faults and
 * end `aborted` (runs poll the switch every 100ms; runs in the process that halts hear of it at once), and
 * refuses new runs until `faultline unhalt`.
 */
import { EventEmitter } from 'node:events';
import { hostname, userInfo } from 'node:os';
import type { SqliteDatabase } from '../util/sqlite.js';

export interface Halt {
  id: number;
  reason: string;
  /** `user@host` */
  who: string;
  at: string;
}

export function operator(): string {
  let user = process.env.SUDO_USER || process.env.USER || '';
  try {
    user ||= userInfo().username;
  } catch {
    user ||= `uid ${process.getuid?.() ?? '?'}`;
  }
  return `${user}@${hostname()}`;
}

export function activeHalt(db: SqliteDatabase): Halt | undefined {
  return db.prepare('SELECT id, reason, who, at FROM halts WHERE lifted_at IS NULL ORDER BY id DESC LIMIT 1').get() as Halt | undefined;
}

/**
 * Halts switched on by this process. The daemon halts in the process where its runs go: they hear of it
 * here without waiting for their next look at the table (other processes still find it by polling).
 */
export const haltsInThisProcess = new EventEmitter<{ halted: [Halt, string] }>();
haltsInThisProcess.setMaxListeners(0); // one listener per run going

/** Turns the switch on (again, with a new reason, if it is on already). */
export function halt(db: SqliteDatabase, reason: string, who = operator()): Halt {
  const at = new Date().toISOString();
  const result = db.prepare('INSERT INTO halts (reason, who, at) VALUES (?, ?, ?)').run(reason, who, at);
  const record = { id: Number(result.lastInsertRowid), reason, who, at };
  haltsInThisProcess.emit('halted', record, db.name); // the file: a process may hold several homes (tests)
  return record;
}

/** Lifts every active halt; returns how many were active. */
export function unhalt(db: SqliteDatabase, who = operator()): number {
  return db.prepare('UPDATE halts SET lifted_at = ?, lifted_by = ? WHERE lifted_at IS NULL').run(new Date().toISOString(), who).changes;
}

export function describeHalt(h: Halt): string {
  return `halted by ${h.who} at ${h.at}: ${h.reason}`;
}
