/**
 * Backups of files that file.corrupt changes: a byte-for-byte copy in $FAULTLINE_HOME/backups/ with the
 * sha256 of the original, and the restore that puts those bytes back and checks the checksum.
 *
 * Files are changed and restored in place (same inode): the owner, the mode, hard links and the handles a
 * process holds open all stay as they were.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { faultlineHome } from '../../util/home.js';

export interface FileBackup {
  /** the file that is corrupted (absolute) */
  path: string;
  /** its copy in $FAULTLINE_HOME/backups/ */
  backup: string;
  /** sha256 (hex) of the original bytes */
  sha256: string;
  size: number;
  /** permission bits, to recreate the file if it was deleted meanwhile */
  mode: number;
}

const CHUNK = 1 << 20;

/** Calls `each` with successive chunks of a file. */
function readChunks(file: string, each: (chunk: Buffer) => void): void {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      each(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** sha256 (hex) of a file, or null when it does not exist. */
export function sha256Of(file: string): string | null {
  if (!existsSync(file)) return null;
  const hash = createHash('sha256');
  readChunks(file, (chunk) => hash.update(chunk));
  return hash.digest('hex');
}

/**
 * Where a file's copy will go and the checksum it must have, read from the original without writing
 * anything: this is what is journaled, BEFORE the copy is made, so a crash while copying leaves an entry
 * whose revert removes the partial copy.
 */
export function planBackup(path: string): FileBackup {
  const dir = join(faultlineHome(), 'backups');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const backup = join(dir, `${stamp}-${randomBytes(4).toString('hex')}-${basename(path)}`);
  const stat = statSync(path);
  return { path, backup, sha256: sha256Of(path) as string, size: stat.size, mode: stat.mode & 0o7777 };
}

/** Copies the file to its planned backup (fsynced) and checks the copy holds the planned bytes. */
export function writeBackup(b: FileBackup): void {
  const hash = createHash('sha256');
  const out = openSync(b.backup, 'wx', 0o600);
  try {
    readChunks(b.path, (chunk) => {
      hash.update(chunk);
      for (let off = 0; off < chunk.length; ) off += writeSync(out, chunk, off, chunk.length - off);
    });
    fsyncSync(out);
  } finally {
    closeSync(out);
  }
  if (hash.digest('hex') !== b.sha256) {
    rmSync(b.backup, { force: true });
    throw new Error(`${b.path} changed while it was being backed up; do not corrupt a file that is being written`);
  }
}

/**
 * Puts the original bytes back and checks them; removes the backup. Idempotent: a file that already holds
 * the original bytes is left alone. Throws when the bytes cannot be restored (the backup is gone or damaged
 * while the file differs), so the journal entry stays open and nothing is lost.
 */
export function restore(b: FileBackup): void {
  if (sha256Of(b.path) === b.sha256) {
    rmSync(b.backup, { force: true });
    return;
  }
  const backupSum = sha256Of(b.backup);
  if (backupSum === null) throw new Error(`cannot restore ${b.path}: its backup ${b.backup} is gone`);
  if (backupSum !== b.sha256) throw new Error(`cannot restore ${b.path}: its backup ${b.backup} does not match the checksum ${b.sha256}`);
  const fd = openSync(b.path, existsSync(b.path) ? 'r+' : 'w', b.mode);
  try {
    let position = 0;
    readChunks(b.backup, (chunk) => {
      for (let off = 0; off < chunk.length; ) {
        const n = writeSync(fd, chunk, off, chunk.length - off, position);
        off += n;
        position += n;
      }
    });
    ftruncateSync(fd, b.size); // through the descriptor: the inode stays
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const after = sha256Of(b.path);
  if (after !== b.sha256)
    throw new Error(`restored ${b.path} but its checksum is ${after}, not ${b.sha256}; restore it by hand from ${b.backup}`);
  rmSync(b.backup, { force: true });
}
