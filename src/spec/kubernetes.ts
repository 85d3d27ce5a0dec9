/**
 * The experiment-format fields of backend kubernetes (zod; no Kubernetes client here, so the schema
 * loads fast): `spec.kubernetes` (engine, namespace, context, timeouts) and a fault step's
 * `kubernetes:` block (what only an engine understands: container names, grace period, the other side
 * of a network fault, a volume path, an HTTP port, minHealthy).
 */
import { z } from '../util/zod.js';
import { duration, labels, strict } from './fields.js';

/**
 * Litmus env a user may add. TOTAL_CHAOS_DURATION is faultline's: on a run it is the dead-man bound (the step,
 * the inject timeout and deadManMargin), which ends the chaos if faultline dies; set by hand it could outlast it.
 */
const litmusEnv = z.record(z.string(), z.string()).refine((env) => !('TOTAL_CHAOS_DURATION' in env), {
  message:
    "TOTAL_CHAOS_DURATION is set by faultline from the step's duration (on a run, the dead-man bound that ends the chaos if faultline dies); give the step a duration instead",
});

export const KUBERNETES_ENGINES = ['chaos-mesh', 'litmus', 'native'] as const;
export type KubernetesEngineName = (typeof KUBERNETES_ENGINES)[number];

/** A Kubernetes namespace name (DNS-1123 label). */
export const namespaceName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    error: (issue) => `expected a namespace name (lower-case letters, digits and "-"), got ${JSON.stringify(issue.input)}`,
  })
  .meta({ patternErrorMessage: 'expected a namespace name (lower-case letters, digits and "-")' });

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

/** Chaos Mesh's PodSelectorSpec fields, added to a step's selector for backend kubernetes. */
export const kubernetesSelectorFields = {
  namespaces: z
    .array(namespaceName)
    .min(1)
    .optional()
    .describe('backend kubernetes: namespaces to select pods in (default spec.kubernetes.namespace)'),
  labelSelectors: labels.optional().describe('backend kubernetes: pod labels that must all match (same as labels)'),
  fieldSelectors: labels.optional().describe('backend kubernetes: pod fields, e.g. { "spec.nodeName": node-1 }'),
  annotationSelectors: labels.optional().describe('backend kubernetes: pod annotations that must all match'),
  podPhaseSelectors: z.array(z.enum(POD_PHASES)).min(1).optional().describe('backend kubernetes: pod phases to select'),
  pods: z
    .record(namespaceName, z.array(z.string().min(1)).min(1))
    .optional()
    .describe('backend kubernetes: pod names by namespace, e.g. { shop: [checkout-0] }'),
};
export const KUBERNETES_SELECTOR_KEYS = Object.keys(kubernetesSelectorFields) as (keyof typeof kubernetesSelectorFields)[];

/** `spec.kubernetes` of an experiment. */
export const kubernetesSpecSchema = strict({
  engine: z
    .enum(KUBERNETES_ENGINES)
    .default('chaos-mesh')
    .describe('who injects: chaos-mesh, litmus, or native (faultline itself, pod deletion)'),
  namespace: namespaceName
    .optional()
    .describe("where objects are created and pods selected (default: the context's namespace, else default)"),
  context: z.string().min(1).optional().describe('kubeconfig context (default: the current context)'),
  injectTimeout: duration.default(60_000).describe('how long to wait for the engine to report the fault injected'),
  recoverTimeout: duration.default(120_000).describe('how long to wait for the engine to recover and the object to be gone'),
  deadManMargin: duration
    .default(30_000)
    .describe(
      "slack added to the step and the inject timeout for the engine's own end of each object (Chaos Mesh spec.duration, Litmus TOTAL_CHAOS_DURATION), so a dead faultline leaves nothing past the step",
    ),
  serviceAccount: z
    .string()
    .min(1)
    .optional()
    .describe('Litmus: chaosServiceAccount of the ChaosEngines (default: <litmus experiment>-sa, e.g. pod-delete-sa)'),
  env: litmusEnv.optional().describe('Litmus: env added to every ChaosEngine experiment (e.g. CONTAINER_RUNTIME, SOCKET_PATH)'),
  chaosMeshNamespace: namespaceName
    .default('chaos-mesh')
    .describe("Chaos Mesh: the namespace it is installed in (its controller, and DNSChaos's DNS server)"),
  litmusNamespace: namespaceName.default('litmus').describe('Litmus: the namespace its chaos-operator runs in (checked before a run)'),
});
export type KubernetesSpec = z.infer<typeof kubernetesSpecSchema>;

const gracePeriod = z
  .union([z.number().int().min(0), duration.transform((ms) => Math.round(ms / 1000))])
  .describe('seconds (or a duration) a killed pod is given to stop; 0 forces');

/** The `kubernetes:` block of a fault step. */
export const kubernetesStepSchema = strict({
  action: z.enum(['pod-kill', 'container-kill']).optional().describe('process.kill: kill the pod (default) or only its containers'),
  containerNames: z.array(z.string().min(1)).min(1).optional().describe('containers to hit (default: the first container)'),
  gracePeriod: gracePeriod.optional(),
  method: z
    .enum(['delete', 'evict'])
    .optional()
    .describe(
      'engine native process.kill: delete the pod (default), or evict it through the Eviction API, which honours PodDisruptionBudgets (a budget that does not allow it now fails the step, nothing deleted)',
    ),
  minHealthy: z.number().int().min(0).optional().describe('ready replicas the owning Deployment/StatefulSet must keep (process.kill)'),
  direction: z.enum(['to', 'from', 'both']).optional().describe('network faults: direction relative to target'),
  target: z
    .object({
      namespaces: kubernetesSelectorFields.namespaces,
      labelSelectors: kubernetesSelectorFields.labelSelectors,
      pods: kubernetesSelectorFields.pods,
    })
    .strict()
    .optional()
    .describe('network faults: the pods on the other side'),
  externalTargets: z.array(z.string().min(1)).min(1).optional().describe('network faults: IPs, CIDRs or hosts on the other side'),
  device: z.string().min(1).optional().describe('network faults: the interface (default eth0)'),
  bandwidth: z
    .object({
      limit: z.number().int().min(1).optional().describe('bytes that may wait in the queue (default 20971520)'),
      buffer: z.number().int().min(1).optional().describe('bytes of the token bucket, the largest burst (default 10000)'),
      peakrate: z.number().int().min(0).optional().describe('bytes per second a burst may reach at most (0: no peak rate)'),
      minburst: z.number().int().min(0).optional().describe('bytes of the peakrate bucket'),
    })
    .strict()
    .optional()
    .describe(
      "network.bandwidth: the engine's tbf queue (Chaos Mesh bandwidth limit, buffer, peakrate, minburst; Litmus LIMIT, BURST, PEAK_RATE, MIN_BURST)",
    ),
  volumePath: z.string().min(1).optional().describe('file.corrupt and io.*: the mount point of the volume (Chaos Mesh IOChaos)'),
  path: z.string().min(1).optional().describe('file.corrupt: the files under volumePath to hit (glob)'),
  port: z.number().int().min(1).max(65535).optional().describe('http faults: the port of the pods whose traffic is changed'),
  env: litmusEnv.optional().describe("Litmus: env of this step's experiment"),
  appkind: z
    .enum(['deployment', 'statefulset', 'daemonset', 'deploymentconfig', 'rollout'])
    .optional()
    .describe('Litmus: only pods of this kind of workload (appinfo.appkind); the other engines cannot narrow so'),
});
export type KubernetesStep = z.infer<typeof kubernetesStepSchema>;

/** `policy.namespaces`: which namespaces faults may hit (backend kubernetes). */
export const namespacePolicySchema = strict({
  allow: z.array(namespaceName).min(1).optional().describe('only these namespaces may be hit'),
  deny: z.array(namespaceName).default([]).describe('these namespaces are never hit'),
});
export type NamespacePolicy = z.infer<typeof namespacePolicySchema>;
