/**
 * Backend kubernetes: faults applied in a cluster by the chaos engine the team runs there (Chaos Mesh,
 * LitmusChaos) or by faultline itself through the API (engine native: pod deletion). faultline keeps
 * what the engines lack: it selects the pods itself (seeded, checked against policy, shown by dry runs),
 * owns the duration, runs probes, guards and stop conditions, and journals every object before it is
 * created so that `faultline recover` deletes what a crashed run left.
 *
 * Planning (no side effect): the engine can do the fault, the namespaces are allowed, the engine's CRDs
 * are served, RBAC allows create/get/patch/delete, the pods are listed and chosen. Applying: one engine
 * object per step (through the injector, journaled first), or one pod deletion per pod (native).
 */
import type { Injection, Injector } from '../../engine/injector.js';
import { stepRandom } from '../../engine/rng.js';
import { selectByMode } from '../../engine/select.js';
import type { TargetInstance } from '../../engine/target-instance.js';
import { findFault, getFault } from '../../faults/index.js';
import type { ObjectParams } from '../../faults/kubernetes/object.js';
import type { PodDeleteParams } from '../../faults/kubernetes/pod-delete.js';
import { targetNeedOf } from '../../faults/types.js';
import { connect } from '../../kube/client.js';
import { type KubernetesSpec, kubernetesSpecSchema } from '../../spec/kubernetes.js';
import type { Experiment } from '../../spec/load.js';
import type { FaultStep, Selector } from '../../spec/schema.js';
import { UserError } from '../../util/errors.js';
import { backendFor, registerBackend } from '../registry.js';
import type { PlannedFault } from '../types.js';
import { isKubernetesFault, requireSupport } from './catalogue.js';
import { compileChaosMesh } from './chaos-mesh/compile.js';
import type { Compiled, CompileInput, PodName } from './compile.js';
import { compileLitmus } from './litmus/compile.js';
import { managedLabels, objectNameFor } from './names.js';
import { ParamReader } from './params.js';
import { podInstance, resolvePods, selectorNamespaces } from './pods.js';
import { kubernetesPolicyViolations, namespaceRefusal, workloadDemands } from './policy.js';
import { checkEngine } from './preflight.js';
import { injectTimeoutFor } from './timing.js';
import { owningWorkload } from './workloads.js';

/** What applyStep needs of the experiment, carried by the plan (the backend contract passes only the plan). */
interface KubernetesPlan extends PlannedFault {
  kubernetes: { experiment: Pick<Experiment, 'name' | 'kubernetes' | 'policy'>; namespace: string };
}

/** spec.kubernetes with its defaults. */
export function kubernetesSettings(experiment: Pick<Experiment, 'kubernetes'>): KubernetesSpec {
  return experiment.kubernetes ?? kubernetesSpecSchema.parse({});
}

export function describeK8sSelector(selector: Selector | undefined, namespaces: string[]): string {
  if (!selector) return `every pod of namespace ${namespaces.join(', ')}`;
  const parts: string[] = [];
  const labels = { ...selector.labels, ...selector.labelSelectors };
  if (Object.keys(labels).length)
    parts.push(
      `labels ${Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`,
    );
  if (selector.names) parts.push(`names [${selector.names.join(', ')}]`);
  if (selector.pods) parts.push(`pods ${JSON.stringify(selector.pods)}`);
  if (selector.fieldSelectors)
    parts.push(
      `fields ${Object.entries(selector.fieldSelectors)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`,
    );
  if (selector.annotationSelectors)
    parts.push(
      `annotations ${Object.entries(selector.annotationSelectors)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`,
    );
  if (selector.podPhaseSelectors) parts.push(`phases ${selector.podPhaseSelectors.join(',')}`);
  return `${parts.join(' and ') || 'every pod'} in namespace ${namespaces.join(', ')}`;
}

function compileStep(
  experiment: Pick<Experiment, 'name'>,
  settings: KubernetesSpec,
  path: string,
  step: FaultStep,
  namespace: string,
  pods: PodName[],
  name: string,
): Compiled & { experiment?: string } {
  const input: CompileInput = {
    fault: step.fault,
    params: (step.params ?? {}) as Record<string, unknown>,
    step,
    where: `${path} (${step.name})`,
    name,
    namespace,
    labels: managedLabels(experiment.name, step.name),
    selection: { pods },
    durationMs: null,
    deadMan: true,
    kubernetes: settings,
    experiment: experiment.name,
  };
  return settings.engine === 'litmus' ? compileLitmus(input) : compileChaosMesh(input);
}

/** `namespace/name` -> uid of the selected pods. */
function podUidsOf(selected: readonly TargetInstance[]): Record<string, string> {
  return Object.fromEntries(selected.flatMap((t) => (t.pod?.uid ? [[`${t.pod.namespace}/${t.pod.name}`, t.pod.uid]] : [])));
}

function gracePeriodOf(step: FaultStep): number | undefined {
  if (step.kubernetes?.gracePeriod !== undefined) return step.kubernetes.gracePeriod;
  const signal = new ParamReader((step.params ?? {}) as Record<string, unknown>, step.name).string(['signal']) ?? 'SIGKILL';
  return /^(SIG)?KILL$|^9$/i.test(signal) ? 0 : undefined;
}

function isDelegated(step: FaultStep): boolean {
  // a host fault no engine does (custom.action) runs on faultline's own host, whatever the backend
  return targetNeedOf(getFault(step.fault), step.params) === 'host' && !isKubernetesFault(step.fault);
}

registerBackend({
  name: 'kubernetes',
  policyViolations: kubernetesPolicyViolations,
  async planStep(experiment, path, step, seed): Promise<KubernetesPlan | PlannedFault> {
    if (isDelegated(step)) return backendFor({ backend: 'local' }).planStep(experiment, path, step, seed);
    const fault = getFault(step.fault);
    const settings = kubernetesSettings(experiment);
    const where = `${path} (${step.name})`;
    const does = requireSupport(step.fault, settings.engine, where);
    if (!step.selector) {
      throw new UserError(
        `${where}: backend kubernetes needs a selector for ${step.fault} (labels, namespaces, pods, ...): without one it would hit every pod of the namespace`,
      );
    }
    if (settings.engine !== 'native' && step.kubernetes?.method === 'evict') {
      throw new UserError(
        `${where}: kubernetes.method: evict is for engine native (${settings.engine} kills pods itself, without the Eviction API); set spec.kubernetes.engine: native, or remove it`,
      );
    }
    if (step.kubernetes?.appkind) {
      // a run chooses the pods itself, by the selector alone: it cannot keep only the pods of one kind of workload
      throw new UserError(
        `${where}: kubernetes.appkind ${step.kubernetes.appkind} is kept for faultline export --to litmus; a run chooses pods by the selector alone and would hit more pods: remove appkind and narrow the selector's labels`,
      );
    }
    if (settings.engine === 'native' && step.kubernetes?.action === 'container-kill') {
      throw new UserError(`${where}: engine native deletes pods; container-kill needs engine chaos-mesh or litmus`);
    }
    const client = await connect({ context: settings.context });
    const namespace = settings.namespace ?? client.defaultNamespace;
    const namespaces = selectorNamespaces(step.selector, namespace);
    for (const ns of namespaces) {
      const why = namespaceRefusal(ns, experiment.policy?.namespaces);
      if (why) throw new UserError(`${where}: ${why}; nothing was created`);
    }

    const pods = await resolvePods(client, step.selector, namespace);
    if (pods.length === 0 && !step.allowEmpty) {
      throw new UserError(
        `${where}: selector ${describeK8sSelector(step.selector, namespaces)} matches no pod (pods labelled ${'faultline.dev/protected=true'} are never chosen); check the selector, or set allowEmpty: true to skip the step`,
      );
    }
    const candidates = pods.map((p) => podInstance(p));
    const chosen = selectByMode(candidates, step.mode, step.value, stepRandom(seed, path));
    const selected: TargetInstance[] = [];
    for (const instance of chosen) {
      const pod = pods.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === instance.name);
      const workload = fault.takesDown && pod ? await owningWorkload(client, pod) : undefined;
      selected.push(workload && instance.pod ? { ...instance, pod: { ...instance.pod, workload } } : instance);
    }

    const planned = (actions: string[]) => ({ path, step, fault, candidates, selected, kubernetes: { experiment, namespace }, actions });
    if (settings.engine === 'native') {
      const evict = step.kubernetes?.method === 'evict';
      for (const ns of new Set(selected.map((t) => t.pod?.namespace ?? namespace))) {
        await client.requireAccess(evict ? ['create'] : ['delete'], '', evict ? 'pods/eviction' : 'pods', ns);
      }
      const grace = gracePeriodOf(step);
      return planned(
        selected.map(
          (t) =>
            `${does}: ${step.kubernetes?.method === 'evict' ? 'evict' : 'delete'} pod ${t.name} ${grace === undefined ? 'with its own grace period' : `with a grace period of ${grace}s`}`,
        ),
      );
    }
    // compiled now (pure) so that a parameter the engine cannot take stops the run before any harm
    const names = selected.map((t) => ({ namespace: t.pod?.namespace ?? namespace, name: t.pod?.name ?? t.name }));
    const compiled = compileStep(
      experiment,
      settings,
      path,
      step,
      namespace,
      names.length ? names : [{ namespace, name: 'placeholder' }],
      objectNameFor(experiment.name, step.name),
    );
    const targeted = [...new Set(names.map((n) => n.namespace))];
    const controller = await checkEngine(client, where, settings.engine, compiled, targeted, {
      'chaos-mesh': settings.chaosMeshNamespace,
      litmus: settings.litmusNamespace,
    });
    return planned([
      ...selected.map((t) => `${compiled.summary} on pod ${t.name} (one ${compiled.ref.kind} in namespace ${namespace} for the step)`),
      controller,
    ]);
  },

  async applyStep(planned: PlannedFault, injector: Injector): Promise<Injection[]> {
    const { step } = planned;
    if (isDelegated(step)) return backendFor({ backend: 'local' }).applyStep(planned, injector);
    const context = (planned as Partial<KubernetesPlan>).kubernetes;
    if (!context) throw new Error(`${planned.path}: the step was not planned by backend kubernetes`);
    const { experiment, namespace } = context;
    const settings = kubernetesSettings(experiment);
    const client = await connect({ context: settings.context });

    if (settings.engine === 'native') {
      const demands = workloadDemands([planned], experiment.policy?.minHealthy ?? []);
      const downBefore = new Map<string, number>();
      const deleteFault = findFault('kubernetes.pod-delete');
      if (!deleteFault) throw new Error('the kubernetes.pod-delete fault is not registered');
      const injections: Injection[] = [];
      // one pod at a time, so minHealthy is checked against what the previous deletions left
      for (const target of planned.selected) {
        const pod = target.pod;
        if (!pod) continue;
        const w = pod.workload;
        const key = w ? `${w.kind}/${w.namespace}/${w.name}` : '';
        const demand = demands.find(
          (d) => w && d.workload.kind === w.kind && d.workload.namespace === w.namespace && d.workload.name === w.name,
        );
        const params: PodDeleteParams = {
          cluster: client.cluster,
          pod: { namespace: pod.namespace, name: pod.name, uid: pod.uid, ready: pod.ready },
          gracePeriodSeconds: gracePeriodOf(step),
          ...(step.kubernetes?.method === 'evict' ? { evict: true } : {}),
          ...(demand && w
            ? {
                minHealthy: {
                  workload: { apiVersion: w.apiVersion, kind: w.kind, namespace: w.namespace, name: w.name },
                  min: demand.min,
                  source: demand.source,
                  downBefore: downBefore.get(key) ?? 0,
                },
              }
            : {}),
        };
        injections.push(await injector.inject(step.name, deleteFault, params, target, step.durationMs));
        if (key && pod.ready) downBefore.set(key, (downBefore.get(key) ?? 0) + 1);
      }
      return injections;
    }

    const pods = planned.selected.map((t) => ({ namespace: t.pod?.namespace ?? namespace, name: t.pod?.name ?? t.name }));
    const compiled = compileStep(experiment, settings, planned.path, step, namespace, pods, objectNameFor(experiment.name, step.name));
    const params: ObjectParams = {
      cluster: client.cluster,
      engine: settings.engine,
      ref: compiled.ref,
      body: compiled.body,
      summary: compiled.summary,
      expect: pods.map((p) => `${p.namespace}/${p.name}`),
      ...(compiled.experiment ? { experiment: compiled.experiment } : {}),
      ...(settings.engine === 'litmus' && compiled.oneShot ? { podUids: podUidsOf(planned.selected) } : {}),
      injectTimeoutMs: injectTimeoutFor(step, settings),
      recoverTimeoutMs: settings.recoverTimeout,
    };
    const objectFault = findFault(compiled.oneShot ? 'kubernetes.object-once' : 'kubernetes.object');
    if (!objectFault) throw new Error('the kubernetes.object fault is not registered');
    const label = `${compiled.ref.kind} ${compiled.ref.namespace}/${compiled.ref.name}`;
    const target: TargetInstance = { name: label, labels: {}, spec: { name: label, labels: {}, protected: false } };
    return [await injector.inject(step.name, objectFault, params, target, step.durationMs)];
  },
});
