/**
 * disk.fill: one file under `path` that takes `size` bytes (or a percent of the free space) of its file
 * system, journaled before it is made and removed on revert. It lives with the stress faults because it is
 * the disk's counterpart of stress.memory (Chaos Mesh and Litmus group them the same way).
 *
 * The space is taken with `fallocate` (instant, the blocks are really allocated) where the file system
 * allows it, else by writing zeros. A fill larger than the free space minus a safety margin is refused
 * before anything is written, so the fault can never fill a disk to the last byte.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, statfsSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { strict } from '../../spec/fields.js';
import { UserError } from '../../util/errors.js';
import { runCommand } from '../../util/run-command.js';
import { describeSizeOrPercent, formatSize, sizeOrPercent } from '../../util/size.js';
import { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';
import { describeHold, removeScratch, which } from './launch.js';

const params = strict({
  path: z
    .string({ error: () => 'expected path: the folder whose file system to fill' })
    .min(1)
    .describe('a folder on the file system to fill'),
  size: sizeOrPercent.describe('bytes to take, e.g. 2Gi, or a percent of the free space such as "80%"'),
});

type Params = z.infer<typeof params>;

interface FillState {
  file: string;
}

/** Space that is never taken: 1% of the file system, at least 64 MiB. */
function safetyMargin(totalBytes: number): number {
  return Math.max(64 * 2 ** 20, Math.round(totalBytes * 0.01));
}

function space(folder: string): { free: number; total: number } {
  let stats: ReturnType<typeof statfsSync>;
  try {
    if (!statSync(folder).isDirectory()) throw new Error('not a folder');
    stats = statfsSync(folder);
  } catch {
    throw new UserError(`disk.fill: path ${folder} is not an existing folder; give params.path a folder on the file system to fill`);
  }
  return { free: Number(stats.bavail) * Number(stats.bsize), total: Number(stats.blocks) * Number(stats.bsize) };
}

async function allocate(file: string, bytes: number): Promise<void> {
  if (bytes > 0 && which('fallocate')) {
    const result = await runCommand(['fallocate', '--length', String(bytes), file], { timeoutMs: 60_000 });
    if (!result.spawnError && !result.timedOut && result.exitCode === 0) return;
  }
  // No fallocate, or a file system without it (some network and FUSE ones): write zeros.
  const fd = openSync(file, 'w', 0o600);
  try {
    const chunk = Buffer.alloc(Math.min(8 * 2 ** 20, Math.max(1, bytes)));
    for (let written = 0; written < bytes; ) {
      const n = writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
      written += n;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

registerFault<Params, FillState>({
  name: 'disk.fill',
  summary: 'a file that takes `size` (or a percent of the free space) of a file system',
  example: { path: '/tmp', size: '1Mi' },
  params,
  needs: 'host',
  describe: (p, _target, durationMs) =>
    `fill the file system of ${resolve(p.path)} with a ${describeSizeOrPercent(p.size, 'its free space')} file ${describeHold(durationMs)}, then remove it`,
  async inject({ params: p, journal }) {
    const folder = resolve(p.path);
    const { free, total } = space(folder);
    const margin = safetyMargin(total);
    const bytes = p.size.percent === undefined ? p.size.bytes : Math.floor((free * p.size.percent) / 100);
    if (bytes > free - margin) {
      throw new UserError(
        `disk.fill: ${formatSize(bytes)} is more than the file system of ${folder} can give: ${formatSize(free)} free minus a safety margin of ${formatSize(margin)}; use a smaller size`,
      );
    }
    const file = join(folder, `faultline-fill-${randomBytes(6).toString('hex')}.tmp`);
    journal({ file });
    try {
      await allocate(file, bytes);
    } catch (error) {
      throw new UserError(`disk.fill: cannot fill ${file}: ${(error as Error).message}`);
    }
  },
  async revert({ file }) {
    removeScratch(file);
  },
});
