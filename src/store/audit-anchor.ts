/**
 * The anchor of the audit chain, kept outside the database: the sequence number and hash of the newest
 * entry, written atomically (temporary file, fsync, rename) to a file beside the store after each entry.
 * The chain alone shows an entry changed or removed in the middle; only something outside the database
 * shows its tail cut off, or the whole database replaced by another with a chain of its own. `verify`
 * compares the two (see verifyAuditChain). A copy shipped elsewhere at each change (the daemon's log, a
 * webhook) survives even someone who can write both files.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { faultlineHome } from '../util/home.js';

export interface AnchorRecord {
  /** the newest entry's sequence number: how many entries were written */
  seq: number;
  hash: string;
  at: string;
}

/** Where the chain's check reads the anchor from (an AuditAnchor); `read` throws when the file is not one. */
export interface AnchorSource {
  file: string;
  /** every writer moves this anchor: entries after it were added behind faultline's back */
  exclusive: boolean;
  read(): AnchorRecord | null;
}

/** The anchor file of a store: beside a SQLite file, or in FAULTLINE_HOME for a PostgreSQL database. */
export function anchorFileOf(store: { kind: 'sqlite' | 'postgres'; location: string }): string {
  if (store.kind === 'sqlite') return `${store.location}.audit-anchor.json`;
  return join(faultlineHome(), `audit-anchor-${createHash('sha256').update(store.location).digest('hex').slice(0, 16)}.json`);
}

export class AuditAnchor implements AnchorSource {
  /** told of every new anchor (shipping it to the log or a webhook); must not throw */
  onAdvance: ((anchor: AnchorRecord) => void) | null = null;

  /**
   * @param exclusive  every writer of the database moves this same anchor (SQLite: the file is beside the
   *   database). Not so for PostgreSQL, where each host keeps its own anchor: entries after it may be
   *   another daemon's, and only a cut tail or a replaced chain can be judged from here.
   */
  constructor(
    readonly file: string,
    readonly exclusive: boolean,
  ) {}

  /** The anchor, null when none was written yet; a file that is not an anchor reads as an error. */
  read(): AnchorRecord | null {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const value = JSON.parse(text) as Partial<AnchorRecord>;
    if (typeof value.seq !== 'number' || typeof value.hash !== 'string' || typeof value.at !== 'string')
      throw new Error(`${this.file} is not an audit anchor`);
    return { seq: value.seq, hash: value.hash, at: value.at };
  }

  /** Moves the anchor to `entry` (never back: another process may have written a newer one already). */
  advance(entry: AnchorRecord): void {
    let current: AnchorRecord | null = null;
    try {
      current = this.read();
    } catch {} // an unreadable anchor is replaced; verify reported it already
    if (current && current.seq >= entry.seq) return;
    const anchor: AnchorRecord = { seq: entry.seq, hash: entry.hash, at: entry.at };
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(anchor)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    this.onAdvance?.(anchor);
  }
}
