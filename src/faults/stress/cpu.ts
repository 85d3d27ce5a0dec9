/** stress.cpu: worker processes that each use `load`% of one CPU (a duty cycle), beside the target process. */
import { z } from 'zod';
import { instanceLabel } from '../../engine/target-instance.js';
import { strict } from '../../spec/fields.js';
import { registerFault } from '../registry.js';
import { cgroupPlacesOf } from './cgroup.js';
import {
  builtinWorker,
  cgroupField,
  describeHold,
  engineField,
  launchWorkers,
  requireStressNg,
  revertStress,
  type StressState,
  stressNgWorker,
  workerDeadline,
  workersField,
} from './launch.js';

const loadError = (input: unknown) => `expected a load from 0 to 100 (percent of one CPU per worker), got ${JSON.stringify(input)}`;

const params = strict({
  workers: workersField.describe('worker processes; each uses at most one CPU'),
  load: z
    .number({ error: (i) => loadError(i.input) })
    .min(0, { error: (i) => loadError(i.input) })
    .max(100, { error: (i) => loadError(i.input) })
    .default(100)
    .describe('percent of one CPU that each worker uses (a duty cycle in 100ms periods)'),
  engine: engineField,
  cgroup: cgroupField,
});

type Params = z.infer<typeof params>;

registerFault<Params, StressState>({
  name: 'stress.cpu',
  summary: 'worker processes that each keep one CPU busy for `load` percent of the time',
  params,
  // a process target only to join its cgroups; otherwise the workers stress this host
  needs: (p) => (p.cgroup === 'target' ? 'process' : 'host'),
  describe: (p, target, durationMs) =>
    `run ${p.workers} CPU worker${p.workers > 1 ? 's' : ''} at ${p.load}% of one CPU each (${p.engine}) beside ${instanceLabel(target)}` +
    `${p.cgroup === 'target' ? ', in its cgroups' : ''} ${describeHold(durationMs)}, then kill them`,
  async inject({ params: p, target, durationMs, journal }) {
    const cgroups = p.cgroup === 'target' ? cgroupPlacesOf(target.pid as number, instanceLabel(target)) : [];
    const deadline = workerDeadline(durationMs);
    const commands =
      p.engine === 'stress-ng'
        ? [stressNgWorker(requireStressNg(), deadline, ['--cpu', String(p.workers), '--cpu-load', String(Math.round(p.load))])]
        : Array.from({ length: p.workers }, () => builtinWorker('cpu', deadline, { load: p.load }));
    await launchWorkers({
      fault: 'stress.cpu',
      commands,
      saysReady: p.engine === 'builtin',
      readyTimeoutMs: 10_000,
      cgroups,
      journal: (workers) => journal({ engine: p.engine, workers, deadline: new Date(deadline).toISOString() }),
    });
  },
  revert: revertStress,
});
