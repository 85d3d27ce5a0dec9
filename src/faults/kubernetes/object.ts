/**
 * kubernetes.object (internal): one object a Kubernetes backend creates for an engine to act on (a
 * Chaos Mesh chaos, a Litmus ChaosEngine). Never written in an experiment; the backend injects it.
 *
 *   journal { cluster, engine, group, version, kind, plural, namespace, name }   (before the create)
 *   create -> journal the uid -> wait until the engine reports it injected (or fail, and be reverted)
 *   revert: pause (Chaos Mesh annotation) or stop (Litmus engineState) -> delete -> wait until the
 *   engine has recovered and the object is gone (404 is success)
 *
 * Recovery after a crash needs nothing but the journaled state. Finalizers are never removed by force:
 * the engine removes its own once it has undone the fault; a revert that times out stays open in the
 * journal for `faultline recover`.
 */

import {
  type Check,
  chaosMeshInjected,
  describeChaosMesh,
  describeLitmus,
  litmusEngineStarted,
  litmusEngineVerdict,
  litmusResultInjected,
} from '../../backends/kubernetes/status.js';
import { type KObject, type KubeClient, loadK8s, reconnect, WaitTimeout } from '../../kube/client.js';
import type { ClusterRef, ObjectRef } from '../../kube/types.js';
import { formatDuration } from '../../util/duration.js';
import { UserError } from '../../util/errors.js';
import { sleep } from '../../util/sleep.js';
import { heldFor } from '../describe.js';
import { registerFault } from '../registry.js';
import type { EngineVerdict, FaultType, RevertOutcome } from '../types.js';

export const PAUSE_ANNOTATION = 'experiment.chaos-mesh.org/pause';

export interface ObjectParams {
  cluster: ClusterRef;
  engine: 'chaos-mesh' | 'litmus';
  ref: ObjectRef;
  body: KObject;
  /** what the object does: `NetworkChaos delay 300ms` */
  summary: string;
  /** the pods the engine must report injected, as `namespace/name` */
  expect: string[];
  /** Litmus: the ChaosHub experiment the engine runs */
  experiment?: string;
  /**
   * Litmus one-shot experiments (pod-delete): the uid of each expected pod (`namespace/name` -> uid).
   * litmus-go reports their targets only when the experiment ends, so a pod that is gone (or replaced
   * by a namesake) is how the kill is seen in time.
   */
  podUids?: Record<string, string>;
  /** derived from the experiment's own timing (see backends/kubernetes/timing.ts) */
  injectTimeoutMs: number;
  recoverTimeoutMs: number;
}

export interface ObjectState {
  cluster: ClusterRef;
  engine: 'chaos-mesh' | 'litmus';
  ref: ObjectRef;
  experiment?: string;
  recoverTimeoutMs: number;
}

export function objectName(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

function showPods(pods: readonly string[]): string {
  if (pods.length <= 3) return pods.join(', ');
  return `${pods.slice(0, 3).join(', ')} and ${pods.length - 3} more`;
}

function describe(p: ObjectParams, durationMs: number | null, once: boolean): string {
  const hold = once ? '' : ` ${heldFor(durationMs)}`;
  return `${p.summary}: create ${objectName(p.ref)} on ${p.expect.length} pod(s) (${showPods(p.expect)})${hold}, then delete it`;
}

async function waitInjected(p: ObjectParams, state: ObjectState): Promise<void> {
  const client = await reconnect(p.cluster);
  const deadline = Date.now() + p.injectTimeoutMs;
  const name = objectName(p.ref);
  if (p.engine === 'chaos-mesh') {
    try {
      const check = await client.follow(p.ref, (o) => chaosMeshInjected(o, p.expect), p.injectTimeoutMs);
      if ('failed' in check) throw new UserError(`${name}: ${check.failed}`);
      return;
    } catch (error) {
      if (!(error instanceof WaitTimeout)) throw error;
      throw new UserError(
        `${name} was not injected within ${formatDuration(p.injectTimeoutMs)}: ${describeChaosMesh(error.last)}; see kubectl describe ${p.ref.plural} -n ${p.ref.namespace} ${p.ref.name}, or raise spec.kubernetes.injectTimeout`,
      );
    }
  }
  const experiment = state.experiment ?? '';
  const resultRef = chaosResultOf(p.ref, experiment);
  let engine: KObject | null = null;
  try {
    const started = await client.follow(
      p.ref,
      (o) => {
        engine = o;
        return litmusEngineStarted(o, experiment);
      },
      p.injectTimeoutMs,
    );
    if ('failed' in started) throw new UserError(`${name}: ${started.failed}`);
    const injected = p.podUids
      ? await pollKilled(client, resultRef, p.expect, p.podUids, deadline)
      : await client.follow(resultRef, (r) => litmusResultInjected(r, p.expect), Math.max(1, deadline - Date.now()));
    if ('failed' in injected) throw new UserError(`${name}: ${injected.failed}`);
  } catch (error) {
    if (!(error instanceof WaitTimeout)) throw error;
    const result = await client.read(resultRef).catch(() => null);
    engine = await client.read(p.ref).catch(() => engine);
    throw new UserError(
      `${name} was not injected within ${formatDuration(p.injectTimeoutMs)}: ${describeLitmus(engine, result)}; see kubectl describe chaosengine -n ${p.ref.namespace} ${p.ref.name}, or raise spec.kubernetes.injectTimeout`,
    );
  }
}

/** The ChaosResult litmus-go writes for one experiment of an engine: `<engine>-<experiment>`. */
function chaosResultOf(engine: ObjectRef, experiment: string): ObjectRef {
  return {
    group: engine.group,
    version: engine.version,
    kind: 'ChaosResult',
    plural: 'chaosresults',
    namespace: engine.namespace,
    name: `${engine.name}-${experiment}`,
  };
}

/** litmus-go's verdict for the engine's experiment, once it gave one (best effort: null when unreadable). */
async function readLitmusVerdict(client: KubeClient, state: ObjectState): Promise<EngineVerdict | null> {
  if (state.engine !== 'litmus' || !state.experiment) return null;
  const result = await client.read(chaosResultOf(state.ref, state.experiment)).catch(() => null);
  return litmusEngineVerdict(result);
}

const POD_REF = { group: '', version: 'v1', kind: 'Pod', plural: 'pods' } as const;

/** Whether every pod is gone, being deleted, or replaced by a namesake with another uid. */
async function podsKilled(client: KubeClient, uids: Record<string, string>): Promise<boolean> {
  for (const [id, uid] of Object.entries(uids)) {
    const [namespace, name] = id.split('/') as [string, string];
    const pod = await client.read({ ...POD_REF, namespace, name });
    if (pod && pod.metadata?.uid === uid && !pod.metadata?.deletionTimestamp) return false;
  }
  return true;
}

/** A one-shot Litmus step: the ChaosResult's word, or the pods' own fate, whichever comes first (bounded). */
async function pollKilled(
  client: KubeClient,
  resultRef: ObjectRef,
  expect: readonly string[],
  uids: Record<string, string>,
  deadline: number,
): Promise<Check> {
  for (;;) {
    const check = litmusResultInjected(await client.read(resultRef), expect, true);
    if (check) return check;
    if (await podsKilled(client, uids)) return { ok: true };
    if (Date.now() >= deadline) throw new WaitTimeout(null);
    await sleep(Math.min(250, Math.max(1, deadline - Date.now())));
  }
}

async function revertObject(state: ObjectState): Promise<RevertOutcome> {
  const client = await reconnect(state.cluster);
  const { ref } = state;
  // an experiment that ended by itself has its verdict already; one stopped below gets `Stopped`
  let verdict = await readLitmusVerdict(client, state);
  // Stop the fault first, the engine's own way; best effort, the delete below is what counts.
  try {
    if (state.engine === 'chaos-mesh') {
      await client.mergePatch(ref, { metadata: { annotations: { [PAUSE_ANNOTATION]: 'true' } } });
    } else {
      const stopped = await client.mergePatch(ref, { spec: { engineState: 'stop' } });
      // an engine the operator has not taken up yet (no engineStatus) started nothing and never reports
      // `stopped`: the delete below is all it needs
      if (stopped?.status?.engineStatus) {
        await client
          .follow(
            ref,
            (o) => (o === null || ['stopped', 'completed'].includes(o.status?.engineStatus) ? true : undefined),
            Math.min(state.recoverTimeoutMs, 30_000),
          )
          .catch(() => undefined);
      }
    }
  } catch {
    // a forbidden patch or a slow engine must not keep the object from being deleted
  }
  verdict ??= await readLitmusVerdict(client, state);
  const outcome: RevertOutcome = verdict ? { engine: verdict } : {};
  try {
    const present = await client.delete(ref, ref.uid ? { uid: ref.uid } : {});
    if (!present) return outcome; // 404: already gone
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 409 && ref.uid) return outcome; // the name now belongs to another object: ours is gone
    throw error;
  }
  try {
    await client.follow(ref, (o) => (o === null || (ref.uid && o.metadata?.uid !== ref.uid) ? true : undefined), state.recoverTimeoutMs);
  } catch (error) {
    if (!(error instanceof WaitTimeout)) throw error;
    const where = state.engine === 'chaos-mesh' ? describeChaosMesh(error.last) : describeLitmus(error.last, null);
    throw new Error(
      `${objectName(ref)} is still there ${formatDuration(state.recoverTimeoutMs)} after its deletion was asked (${where}): the engine has not recovered the fault yet. faultline never removes an engine's finalizer by force, as that would leave the fault in place; find why recovery fails (kubectl describe ${ref.plural} -n ${ref.namespace} ${ref.name}), then run faultline recover`,
    );
  }
  return outcome;
}

function objectFault(name: string, once: boolean): FaultType<ObjectParams, ObjectState> {
  return {
    name,
    summary: once
      ? 'a one-shot engine object (pod-kill): created, followed until injected, then deleted'
      : 'an engine object created by backend kubernetes, deleted on revert',
    params: undefined as never, // internal: never parsed from an experiment
    needs: 'host',
    internal: true,
    instantaneous: once,
    describe: (p, _target, durationMs) => describe(p, durationMs, once),
    async inject({ params: p, journal }) {
      const state: ObjectState = {
        cluster: p.cluster,
        engine: p.engine,
        ref: { ...p.ref },
        recoverTimeoutMs: p.recoverTimeoutMs,
        ...(p.experiment ? { experiment: p.experiment } : {}),
      };
      journal(state); // before the create: a crash right after it still leaves a record to recover from
      const client = await reconnect(p.cluster);
      const created = await client.create(p.ref, p.body);
      state.ref.uid = created?.metadata?.uid;
      if (state.ref.uid) journal(state); // the uid too: recovery then never deletes a namesake
      await waitInjected(p, state);
    },
    revert: revertObject,
    prepareRevert: async () => {
      await loadK8s();
    },
  };
}

registerFault(objectFault('kubernetes.object', false));
registerFault(objectFault('kubernetes.object-once', true));
