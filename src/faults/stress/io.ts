/**
 * stress.io: worker processes that each write `blockSize` bytes at a time to their own file in a scratch
 * folder under `path`, with fsync after every write, wrapping around at `fileSize`. The folder is
 * journaled before it is made and removed on revert.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { strict } from '../../spec/fields.js';
import { UserError } from '../../util/errors.js';
import { formatSize, size } from '../../util/size.js';
import { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';
import { revertStress, type StressState, workersField } from './launch.js';
import { describeBeside, engineAndCgroupFields, injectWorkers, WORKER_FAULT_NEEDS, workerFaultNeeds } from './worker-fault.js';

const MAX_BLOCK = 64 * 2 ** 20;
const STRESS_NG_MAX_BLOCK = 4 * 2 ** 20;

const params = strict({
  workers: workersField.describe('worker processes, each writing its own file'),
  path: z.string().min(1).optional().describe('folder on the disk to stress (default: the system temporary folder)'),
  blockSize: size.default(64 * 1024).describe('bytes per write, e.g. 64Ki, 1Mi'),
  fileSize: size.default(64 * 2 ** 20).describe('size at which each worker wraps around to the start of its file'),
  fsync: z.boolean().default(true).describe('fsync after every write, so the writes reach the disk'),
  ...engineAndCgroupFields,
})
  .refine((p) => p.blockSize >= 512 && p.blockSize <= MAX_BLOCK, {
    path: ['blockSize'],
    error: (i) =>
      `expected a blockSize from 512 bytes to ${formatSize(MAX_BLOCK)}, got ${formatSize((i.input as { blockSize: number }).blockSize)}`,
  })
  .refine((p) => p.engine !== 'stress-ng' || p.blockSize <= STRESS_NG_MAX_BLOCK, {
    path: ['blockSize'],
    message: `stress-ng writes at most ${formatSize(STRESS_NG_MAX_BLOCK)} at a time; use a smaller blockSize`,
  })
  .refine((p) => p.fileSize >= p.blockSize, { path: ['fileSize'], message: 'expected a fileSize at least as large as blockSize' });

type Params = z.infer<typeof params>;

function folderOf(p: Params): string {
  return resolve(p.path ?? tmpdir());
}

function checkFolder(folder: string): void {
  let isDir = false;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    throw new UserError(`stress.io: path ${folder} does not exist; give params.path an existing folder on the disk to stress`);
  }
  if (!isDir) throw new UserError(`stress.io: path ${folder} is not a folder; give params.path a folder on the disk to stress`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new UserError(`stress.io: cannot write in ${folder}; give params.path a writable folder, or run faultline as its owner`);
  }
}

registerFault<Params, StressState>({
  name: 'stress.io',
  summary: 'worker processes that write and fsync blocks to files under a path',
  params,
  needs: workerFaultNeeds,
  needsDoc: WORKER_FAULT_NEEDS,
  describe: (p, target, durationMs) =>
    `run ${p.workers} IO worker${p.workers > 1 ? 's' : ''} (${p.engine}) writing ${formatSize(p.blockSize)} blocks${p.fsync ? ' with fsync' : ''} ` +
    `to files of up to ${formatSize(p.fileSize)} in a scratch folder under ${folderOf(p)}, ` +
    `${describeBeside(p, target, durationMs)}, then kill them and remove the folder`,
  async inject(ctx) {
    const p = ctx.params;
    const folder = folderOf(p);
    checkFolder(folder);
    const dir = join(folder, `faultline-io-${randomBytes(6).toString('hex')}`);
    await injectWorkers(ctx, {
      fault: 'stress.io',
      kind: 'io',
      stressNgArgs: [
        '--hdd',
        String(p.workers),
        '--hdd-bytes',
        String(p.fileSize),
        '--hdd-write-size',
        String(p.blockSize),
        ...(p.fsync ? ['--hdd-opts', 'fsync'] : []),
        '--temp-path',
        dir,
      ],
      builtinOptions: (index) => ({ dir, block: p.blockSize, 'file-size': p.fileSize, fsync: p.fsync ? 1 : 0, index }),
      readyTimeoutMs: 10_000,
      dir,
    });
  },
  revert: revertStress,
});
