/**
 * stress.memory: worker processes that hold `size` of resident memory in total (Chaos Mesh's semantics:
 * the sum over the workers), beside the target process. Every page is written, so the memory is resident.
 */
import { readFileSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { strict } from '../../spec/fields.js';
import { UserError } from '../../util/errors.js';
import { describeSizeOrPercent, formatSize, type SizeOrPercent, sizeOrPercent } from '../../util/size.js';
import type { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';
import { revertStress, type StressState, workersField } from './launch.js';
import { describeBeside, engineAndCgroupFields, injectWorkers, WORKER_FAULT_NEEDS, workerFaultNeeds } from './worker-fault.js';

const params = strict({
  size: sizeOrPercent.describe('resident memory to hold in total, e.g. 512Mi, 2Gi, or a percent of total memory such as "25%"'),
  workers: workersField.describe('worker processes that share the size'),
  ...engineAndCgroupFields,
});

type Params = z.infer<typeof params>;

/** Memory this host can still give without swapping or killing (MemAvailable), in bytes. */
function availableMemory(): number {
  try {
    const kb = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {}
  return freemem();
}

/** Kept free whatever the experiment asks, so the host (and faultline) survive the pressure. */
function safetyMargin(): number {
  return Math.max(256 * 2 ** 20, Math.round(totalmem() * 0.05));
}

function bytesOf(size: SizeOrPercent): number {
  return size.percent === undefined ? size.bytes : Math.round((totalmem() * size.percent) / 100);
}

registerFault<Params, StressState>({
  name: 'stress.memory',
  summary: 'worker processes that hold `size` of resident memory in total',
  example: { size: '16Mi' },
  params,
  needs: workerFaultNeeds,
  needsDoc: WORKER_FAULT_NEEDS,
  describe: (p, target, durationMs) =>
    `hold ${describeSizeOrPercent(p.size, 'total memory')} of resident memory in ${p.workers} worker${p.workers > 1 ? 's' : ''} (${p.engine}) ` +
    `${describeBeside(p, target, durationMs)}, then kill them`,
  async inject(ctx) {
    const p = ctx.params;
    const bytes = bytesOf(p.size);
    const available = availableMemory();
    const margin = safetyMargin();
    if (bytes > available - margin) {
      throw new UserError(
        `stress.memory: size ${formatSize(bytes)} is more than this host can give: ${formatSize(available)} available minus a safety margin of ${formatSize(margin)}; use a smaller size`,
      );
    }
    const perWorker = Math.floor(bytes / p.workers);
    await injectWorkers(ctx, {
      fault: 'stress.memory',
      kind: 'memory',
      stressNgArgs: ['--vm', String(p.workers), '--vm-bytes', `${bytes}`, '--vm-keep'],
      builtinOptions: (_, cgroups) => ({ bytes: perWorker, 'count-own': cgroups.length ? 0 : 1 }),
      readyTimeoutMs: 30_000 + Math.round(bytes / 2 ** 20) * 20, // touching every page: allow 50 MiB/s at worst
    });
  },
  revert: revertStress,
});
