/**
 * The halt switch: `faultline halt --reason TEXT` makes every run on this host revert its faults and
 * end `aborted` (runs poll the switch every 250ms), and refuses new runs until `faultline unhalt`.
 */
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

/** Turns the switch on (again, with a new reason, if it is on already). */
export function halt(db: SqliteDatabase, reason: string, who = operator()): Halt {
  const at = new Date().toISOString();
  const result = db.prepare('INSERT INTO halts (reason, who, at) VALUES (?, ?, ?)').run(reason, who, at);
  return { id: Number(result.lastInsertRowid), reason, who, at };
}

/** Lifts every active halt; returns how many were active. */
export function unhalt(db: SqliteDatabase, who = operator()): number {
  return db.prepare('UPDATE halts SET lifted_at = ?, lifted_by = ? WHERE lifted_at IS NULL').run(new Date().toISOString(), who).changes;
}

export function describeHalt(h: Halt): string {
  return `halted by ${h.who} at ${h.at}: ${h.reason}`;
}
