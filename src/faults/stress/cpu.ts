/** stress.cpu: worker processes that each use `load`% of one CPU (a duty cycle), beside the target process. */

import { strict } from '../../spec/fields.js';
import { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';
import { revertStress, type StressState, workersField } from './launch.js';
import { describeBeside, engineAndCgroupFields, injectWorkers, WORKER_FAULT_NEEDS, workerFaultNeeds } from './worker-fault.js';

const loadError = (input: unknown) => `expected a load from 0 to 100 (percent of one CPU per worker), got ${JSON.stringify(input)}`;

const params = strict({
  workers: workersField.describe('worker processes; each uses at most one CPU'),
  load: z
    .number({ error: (i) => loadError(i.input) })
    .min(0, { error: (i) => loadError(i.input) })
    .max(100, { error: (i) => loadError(i.input) })
    .default(100)
    .describe('percent of one CPU that each worker uses (a duty cycle in 100ms periods)'),
  ...engineAndCgroupFields,
});

type Params = z.infer<typeof params>;

registerFault<Params, StressState>({
  name: 'stress.cpu',
  summary: 'worker processes that each keep one CPU busy for `load` percent of the time',
  params,
  needs: workerFaultNeeds,
  needsDoc: WORKER_FAULT_NEEDS,
  describe: (p, target, durationMs) =>
    `run ${p.workers} CPU worker${p.workers > 1 ? 's' : ''} at ${p.load}% of one CPU each (${p.engine}) ` +
    `${describeBeside(p, target, durationMs)}, then kill them`,
  inject: (ctx) =>
    injectWorkers(ctx, {
      fault: 'stress.cpu',
      kind: 'cpu',
      stressNgArgs: ['--cpu', String(ctx.params.workers), '--cpu-load', String(Math.round(ctx.params.load))],
      builtinOptions: () => ({ load: ctx.params.load }),
      readyTimeoutMs: 10_000,
    }),
  revert: revertStress,
});
