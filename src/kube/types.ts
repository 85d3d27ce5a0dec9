/** Shapes shared by the Kubernetes backend, its faults and the policy checks (no client code here). */

/** A pod as a target of backend kubernetes, as planned (and shown in dry runs and reports). */
export interface PodTarget {
  namespace: string;
  name: string;
  uid?: string;
  /** the pod's Ready condition when it was planned */
  ready: boolean;
  /** the controller that keeps the pod's replicas (Deployment, StatefulSet, DaemonSet, ...), with its counts when planned (minHealthy) */
  workload?: WorkloadRef;
}

export interface WorkloadRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  readyReplicas: number;
  replicas: number;
  /** false: faultline cannot read how many of its pods are ready (an unknown kind, not served, forbidden) */
  countable: boolean;
}

/** How to reach a cluster again, from the journal alone (faultline recover). */
export interface ClusterRef {
  /** the KUBECONFIG value (paths joined by the platform delimiter), null for ~/.kube/config */
  kubeconfig: string | null;
  /** the context's name, null when running in-cluster */
  context: string | null;
  /** the API server URL: a context that now points elsewhere is refused */
  server: string;
  inCluster: boolean;
}

/** One object faultline creates (a Chaos Mesh chaos, a Litmus ChaosEngine). */
export interface ObjectRef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespace: string;
  name: string;
  uid?: string;
}
