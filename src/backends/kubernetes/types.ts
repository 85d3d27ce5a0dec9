/** Shapes shared by the Kubernetes backend, its faults and the policy checks (no client code here). */

/** A pod as a target of backend kubernetes, as planned (and shown in dry runs and reports). */
export interface PodTarget {
  namespace: string;
  name: string;
  uid?: string;
  /** the pod's Ready condition when it was planned */
  ready: boolean;
  /** the Deployment or StatefulSet that owns the pod, with its replicas when planned (for minHealthy) */
  workload?: WorkloadRef;
}

export interface WorkloadRef {
  kind: 'Deployment' | 'StatefulSet';
  namespace: string;
  name: string;
  readyReplicas: number;
  replicas: number;
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
