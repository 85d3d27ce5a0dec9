/**
 * file.corrupt: corrupts files a target declares (`files:`), after backing each one up with its sha256 in
 * $FAULTLINE_HOME/backups/; revert (and `faultline recover` after a crash) restores the bytes and checks
 * the checksum. Order: check every file (exists, size within maxBytes) -> back every file up -> journal the
 * backups -> change the first byte. A file larger than maxBytes is refused before anything is copied.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { accessSync, closeSync, constants, fsyncSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TargetInstance } from '../../engine/target-instance.js';
import { percentString, strict } from '../../spec/fields.js';
import { errorMessage, UserError } from '../../util/errors.js';
import { formatSize, size } from '../../util/size.js';
import { z } from '../../util/zod.js';
import { heldFor } from '../describe.js';
import { registerFault } from '../registry.js';
import { type FileBackup, planBackup, restore, writeBackup } from './backup.js';

const MODES = ['random-bytes', 'zero', 'truncate', 'append-garbage'] as const;
type Mode = (typeof MODES)[number];

const params = strict({
  path: z.string().min(1).optional().describe("one of the target's files; default: every file of the target"),
  mode: z
    .enum(MODES, { error: (i) => `expected mode random-bytes, zero, truncate or append-garbage, got ${JSON.stringify(i.input)}` })
    .default('random-bytes'),
  bytes: size.optional().describe('how many bytes the mode changes (random-bytes: 1, zero/truncate: the whole file, append-garbage: 1Ki)'),
  percent: percentString.optional().describe('how many bytes the mode changes, as a percent of the file size'),
  maxBytes: size.default(256 * 2 ** 20).describe('files larger than this are refused rather than backed up (default 256Mi)'),
}).refine((p) => p.bytes === undefined || p.percent === undefined, { message: 'give bytes or percent, not both' });

type Params = z.infer<typeof params>;

interface CorruptState {
  files: FileBackup[];
}

/** How many bytes the mode changes in a file of `fileSize` bytes. */
function amount(p: Params, fileSize: number): number {
  if (p.bytes !== undefined) return p.bytes;
  if (p.percent !== undefined) return Math.max(1, Math.ceil((fileSize * p.percent) / 100));
  return p.mode === 'random-bytes' ? 1 : p.mode === 'append-garbage' ? 1024 : fileSize;
}

function describeAmount(p: Params): string {
  if (p.bytes !== undefined) return formatSize(p.bytes);
  if (p.percent !== undefined) return `${p.percent}%`;
  return p.mode === 'random-bytes' ? '1 byte' : p.mode === 'append-garbage' ? '1Ki' : 'all';
}

const ACTION: Record<Mode, (amount: string) => string> = {
  'random-bytes': (a) => `overwrite ${a} at random positions with different random values in`,
  zero: (a) => `zero ${a} of the bytes (from the start) of`,
  truncate: (a) => `cut ${a} of the bytes from the end of`,
  'append-garbage': (a) => `append ${a} of random bytes to`,
};

/** The files to corrupt: `path` if it is one of the target's files, else all of them. */
function filesOf(p: Params, target: TargetInstance): string[] {
  const declared = (target.spec.files ?? []).map((f) => resolve(f));
  if (p.path === undefined) return declared;
  const wanted = resolve(p.path);
  if (!declared.includes(wanted)) {
    throw new UserError(
      `file.corrupt: params.path ${p.path} is not one of the files of target ${target.name} (${declared.join(', ') || 'none'}); add it to the target's files, or use one of those`,
    );
  }
  return [wanted];
}

function check(file: string, p: Params): number {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(file);
  } catch {
    throw new UserError(`file.corrupt: ${file} does not exist; check the target's files`);
  }
  if (!stats.isFile()) throw new UserError(`file.corrupt: ${file} is not a regular file; list only regular files in the target's files`);
  if (stats.size > p.maxBytes) {
    throw new UserError(
      `file.corrupt: ${file} is ${formatSize(stats.size)}, more than maxBytes ${formatSize(p.maxBytes)}: it is refused rather than half backed up; raise params.maxBytes if $FAULTLINE_HOME has room for a copy`,
    );
  }
  if (stats.size === 0 && p.mode !== 'append-garbage') {
    throw new UserError(`file.corrupt: ${file} is empty, so mode ${p.mode} has nothing to change; use mode append-garbage`);
  }
  try {
    accessSync(file, constants.R_OK | constants.W_OK);
  } catch {
    throw new UserError(`file.corrupt: cannot read and write ${file}; run faultline as the file's owner or as root`);
  }
  return stats.size;
}

/** Flips `count` distinct bytes of the file (each to a different value), at random positions. */
function randomBytesMode(fd: number, fileSize: number, count: number): void {
  const flip = (byte: number) => byte ^ randomInt(1, 256);
  if (count <= 65_536 && count * 2 <= fileSize) {
    const positions = new Set<number>();
    while (positions.size < count) positions.add(randomInt(fileSize));
    const one = Buffer.alloc(1);
    for (const position of [...positions].sort((a, b) => a - b)) {
      readSync(fd, one, 0, 1, position);
      one[0] = flip(one[0] as number);
      writeSync(fd, one, 0, 1, position);
    }
    return;
  }
  // Many bytes: one pass by chunks, choosing exactly `count` positions (selection sampling).
  const chunk = Buffer.allocUnsafe(1 << 20);
  let needed = count;
  for (let start = 0; start < fileSize && needed > 0; start += chunk.length) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, fileSize - start), start);
    for (let i = 0; i < n && needed > 0; i++) {
      if (Math.random() * (fileSize - start - i) < needed) {
        chunk[i] = flip(chunk[i] as number);
        needed--;
      }
    }
    writeSync(fd, chunk, 0, n, start);
  }
}

function writeAll(fd: number, data: Buffer, position: number): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off, position + off);
}

function corrupt(file: string, fileSize: number, p: Params): void {
  const count = amount(p, fileSize);
  const fd = openSync(file, 'r+');
  try {
    switch (p.mode) {
      case 'random-bytes':
        randomBytesMode(fd, fileSize, Math.min(count, fileSize));
        break;
      case 'zero': {
        const zeros = Buffer.alloc(Math.min(1 << 20, count));
        for (let done = 0; done < Math.min(count, fileSize); done += zeros.length) {
          writeAll(fd, zeros.subarray(0, Math.min(zeros.length, Math.min(count, fileSize) - done)), done);
        }
        break;
      }
      case 'truncate':
        ftruncateSync(fd, fileSize - Math.min(count, fileSize));
        break;
      case 'append-garbage':
        for (let done = 0; done < count; done += 1 << 20) writeAll(fd, randomBytes(Math.min(1 << 20, count - done)), fileSize + done);
        break;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

registerFault<Params, CorruptState>({
  name: 'file.corrupt',
  summary: "corrupt a target's files (random bytes, zeros, truncation, appended garbage); restored byte for byte on revert",
  params,
  needs: 'files',
  describe: (p, target, durationMs) => {
    let files: string;
    try {
      files = filesOf(p, target).join(', ');
    } catch (error) {
      files = `(${errorMessage(error)})`;
    }
    return (
      `${ACTION[p.mode](describeAmount(p))} ${files} of ${target.name} (backed up with sha256 in $FAULTLINE_HOME/backups) ` +
      `${heldFor(durationMs)}, then restore the original bytes`
    );
  },
  async inject({ params: p, target, journal }) {
    const files = filesOf(p, target);
    const sizes = files.map((file) => check(file, p));
    const backups: FileBackup[] = files.map(planBackup);
    // journaled before the first copy: a crash while copying leaves an entry whose revert removes the copies
    journal({ files: backups });
    let copied = 0;
    try {
      for (const b of backups) {
        writeBackup(b);
        copied++;
      }
    } catch (error) {
      // nothing was changed yet; the injector reverts the entry, which only removes the copies
      throw new UserError(`file.corrupt: cannot back up ${files[copied]}: ${errorMessage(error)}`);
    }
    files.forEach((file, i) => {
      corrupt(file, sizes[i] as number, p);
    });
  },
  async revert({ files }) {
    const problems: string[] = [];
    for (const b of files) {
      try {
        restore(b);
      } catch (error) {
        problems.push(errorMessage(error));
      }
    }
    if (problems.length) throw new Error(problems.join('; '));
  },
});
