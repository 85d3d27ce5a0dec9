/**
 * kubernetes.pod-delete (internal): engine native's process.kill, a pod deleted through the API with a
 * grace period (or evicted, `kubernetes.method: evict`, so that PodDisruptionBudgets are honoured), never below minHealthy ready replicas of the pod's Deployment or StatefulSet (checked
 * again right before the delete). Instantaneous: bringing the pod back is its controller's job.
 */

import { readWorkload } from '../../backends/kubernetes/workloads.js';
import { reconnect } from '../../kube/client.js';
import type { ClusterRef, WorkloadRef } from '../../kube/types.js';
import { UserError } from '../../util/errors.js';
import { registerFault } from '../registry.js';

export interface PodDeleteParams {
  cluster: ClusterRef;
  pod: { namespace: string; name: string; uid?: string; ready: boolean };
  /** undefined: the pod's own terminationGracePeriodSeconds */
  gracePeriodSeconds?: number;
  /** through the Eviction API, honouring PodDisruptionBudgets */
  evict?: boolean;
  minHealthy?: {
    workload: Pick<WorkloadRef, 'apiVersion' | 'kind' | 'namespace' | 'name'>;
    min: number;
    source: string;
    downBefore: number;
  };
}

interface PodDeleteState {
  cluster: ClusterRef;
  pod: { namespace: string; name: string; uid?: string };
  gracePeriodSeconds?: number;
}

const POD = { group: '', version: 'v1', kind: 'Pod', plural: 'pods' };

registerFault<PodDeleteParams, PodDeleteState>({
  name: 'kubernetes.pod-delete',
  summary: 'a pod deleted through the Kubernetes API (engine native)',
  params: undefined as never, // internal: never parsed from an experiment
  needs: 'host',
  internal: true,
  instantaneous: true,
  takesDown: true,
  describe: (p) =>
    `${p.evict ? 'evict' : 'delete'} pod ${p.pod.namespace}/${p.pod.name} ${p.gracePeriodSeconds === undefined ? 'with its own grace period' : `with a grace period of ${p.gracePeriodSeconds}s`}${p.minHealthy ? ` (keeping ${p.minHealthy.min} ready in ${p.minHealthy.workload.kind} ${p.minHealthy.workload.name})` : ''}`,
  async inject({ params: p, journal }) {
    journal({
      cluster: p.cluster,
      pod: { namespace: p.pod.namespace, name: p.pod.name, uid: p.pod.uid },
      gracePeriodSeconds: p.gracePeriodSeconds,
    });
    const client = await reconnect(p.cluster);
    if (p.minHealthy) {
      const { workload, min, source, downBefore } = p.minHealthy;
      const now = await readWorkload(client, workload);
      const ready = now?.readyReplicas ?? 0;
      const left = ready - downBefore - (p.pod.ready ? 1 : 0);
      if (left < min) {
        throw new UserError(
          `refusing to delete pod ${p.pod.namespace}/${p.pod.name}: ${workload.kind} ${workload.namespace}/${workload.name} has ${ready} ready replica(s) now${downBefore ? `, ${downBefore} already deleted by this step` : ''}; deleting it would leave ${left}, fewer than ${min} (${source})`,
        );
      }
    }
    const ref = { ...POD, namespace: p.pod.namespace, name: p.pod.name };
    let deleted: boolean;
    try {
      deleted = p.evict
        ? await client.evict(p.pod.namespace, p.pod.name, { gracePeriodSeconds: p.gracePeriodSeconds, uid: p.pod.uid })
        : await client.delete(ref, { gracePeriodSeconds: p.gracePeriodSeconds, uid: p.pod.uid });
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 409)
        deleted = false; // replaced by a new pod of the same name
      else if (status === 429 && p.evict) {
        // the Eviction API's answer when a PodDisruptionBudget allows no disruption now
        throw new UserError(
          `the Eviction API refused to evict pod ${p.pod.namespace}/${p.pod.name} now: a PodDisruptionBudget allows no disruption (${(error as Error).message}); nothing was deleted. Wait until the budget allows it, or choose fewer pods`,
        );
      } else throw error;
    }
    if (!deleted) throw new UserError(`pod ${p.pod.namespace}/${p.pod.name} was gone (or replaced) before it could be deleted`);
  },
  // A deleted pod cannot be brought back here: its Deployment or StatefulSet does that.
  async revert() {},
});
