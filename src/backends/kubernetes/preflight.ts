/**
 * What a run checks in the cluster before any harm, engine by engine: the engine's CRDs are served, its
 * controller has an available replica, what it needs is installed (Litmus: the ChaosExperiment and the
 * chaos service account; Chaos Mesh DNSChaos: the DNS server), and the caller may do every verb on every
 * resource the run will use (SelfSubjectAccessReviews). The same table of verbs is what deploy/kubernetes/rbac.yaml grants
 * (test/kubernetes-rbac.test.ts compares it with the requests a run really makes).
 */

import type { KObject, KubeClient } from '../../kube/client.js';
import { UserError } from '../../util/errors.js';
import type { Compiled } from './compile.js';

export interface Access {
  group: string;
  resource: string;
  verbs: string[];
}

/** Following an object: a read, then a watch on its collection narrowed to its name (client.follow). */
const FOLLOW = ['get', 'watch'];

/** What a run does with the object it creates for the engine (create, follow, pause or stop, delete). */
export function engineAccess(engine: 'chaos-mesh' | 'litmus', ref: Compiled['ref']): Access[] {
  const object = { group: ref.group, resource: ref.plural, verbs: ['create', ...FOLLOW, 'patch', 'delete'] };
  if (engine === 'chaos-mesh') return [object];
  return [
    object,
    { group: ref.group, resource: 'chaosexperiments', verbs: ['get'] },
    { group: ref.group, resource: 'chaosresults', verbs: FOLLOW },
    { group: '', resource: 'serviceaccounts', verbs: ['get'] },
  ];
}

/** The Service Chaos Mesh's DNSChaos needs (helm value dnsServer.name, created when dnsServer.create). */
export const CHAOS_MESH_DNS_SERVICE = 'chaos-mesh-dns-server';

const INSTALL: Record<'chaos-mesh' | 'litmus', string> = {
  'chaos-mesh':
    'install Chaos Mesh (helm repo add chaos-mesh https://charts.chaos-mesh.org && helm install chaos-mesh chaos-mesh/chaos-mesh -n chaos-mesh --create-namespace), or choose another spec.kubernetes.engine',
  litmus:
    'install the LitmusChaos CRDs and chaos-operator (helm repo add litmuschaos https://litmuschaos.github.io/litmus-helm && helm install litmus-core litmuschaos/litmus-core -n litmus --create-namespace), or choose another spec.kubernetes.engine',
};

async function requireAll(client: KubeClient, access: readonly Access[], namespace: string): Promise<void> {
  for (const a of access) await client.requireAccess(a.verbs, a.group, a.resource, namespace);
}

type Engine = 'chaos-mesh' | 'litmus';

/**
 * How each engine's controller is recognised among the Deployments of its namespace, whatever the
 * release is called: Chaos Mesh's Helm chart names it chaos-controller-manager (its container runs
 * /usr/local/bin/chaos-controller-manager); Litmus's operator runs the chaos-operator image, in the
 * litmus-core chart (named after the release) and in ChaosCenter's chaos infrastructure (chaos-operator-ce).
 */
const CONTROLLER: Record<Engine, { label: string; setting: string; is: (deployment: KObject) => boolean }> = {
  'chaos-mesh': {
    label: "Chaos Mesh's chaos-controller-manager",
    setting: 'chaosMeshNamespace',
    is: (d) =>
      d.metadata?.name === 'chaos-controller-manager' ||
      containersOf(d).some((c) =>
        [...(c.command ?? []), ...(c.args ?? [])].some((a: string) => String(a).endsWith('chaos-controller-manager')),
      ),
  },
  litmus: {
    label: "Litmus's chaos-operator",
    setting: 'litmusNamespace',
    is: (d) => containersOf(d).some((c) => /(^|\/)chaos-operator(:|$)/.test(String(c.image ?? ''))),
  },
};

function containersOf(deployment: KObject): KObject[] {
  return deployment.spec?.template?.spec?.containers ?? [];
}

/**
 * The engine's controller has an available replica: without one, the object would be created and never
 * injected. Where faultline may not list Deployments in that namespace, says so instead (a line of the plan).
 */
async function checkController(client: KubeClient, where: string, engine: Engine, namespace: string): Promise<string> {
  const { label, setting, is } = CONTROLLER[engine];
  if (!(await client.can('list', 'apps', 'deployments', namespace))) {
    return `${label} not checked: faultline may not list deployments in namespace ${namespace} (grant "list" on "deployments" there, see deploy/kubernetes/)`;
  }
  const controller = (await client.list({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments' }, namespace)).find(is);
  if (!controller) {
    throw new UserError(
      `${where}: ${label} is not running in namespace ${namespace} (no Deployment there runs it), so nothing would inject the fault; ${INSTALL[engine]}, or set spec.kubernetes.${setting} to the namespace it runs in`,
    );
  }
  const available = Number(controller.status?.availableReplicas ?? 0);
  const wanted = Number(controller.spec?.replicas ?? 1);
  if (available < 1) {
    throw new UserError(
      `${where}: ${label} (Deployment ${namespace}/${controller.metadata.name}) has no available replica (0 of ${wanted}), so nothing would inject the fault; see kubectl -n ${namespace} describe deployment ${controller.metadata.name}`,
    );
  }
  return `${label}: Deployment ${namespace}/${controller.metadata.name}, ${available} of ${wanted} replicas available`;
}

/**
 * The engine's CRDs are served, its controller runs, what it needs is installed, and RBAC allows what
 * the run does; returns what was seen of the controller, for the plan.
 * `targeted`: the namespaces of the pods the object selects. Chaos Mesh's auth webhook (on when its
 * security mode is, the Helm default) admits a chaos only if its creator may `create` that kind in
 * every namespace it affects (AuthValidator.Handle and auth in pkg/webhook/validate_auth.go, with
 * affectedNamespaces in pkg/webhook/affected_namespaces.go), so that is checked there too.
 */
export async function checkEngine(
  client: KubeClient,
  where: string,
  engine: Engine,
  compiled: Compiled & { experiment?: string },
  targeted: readonly string[],
  engineNamespaces: Record<Engine, string>,
): Promise<string> {
  const { ref } = compiled;
  const served = await client.served(ref.group, ref.version);
  if (!served?.has(ref.plural)) {
    const label = engine === 'litmus' ? 'LitmusChaos' : 'Chaos Mesh';
    throw new UserError(
      `${where}: ${label} is not installed in the cluster at ${client.cluster.server}: the API server does not serve ${ref.plural}.${ref.group}/${ref.version}; ${INSTALL[engine]}`,
    );
  }
  await requireAll(client, engineAccess(engine, ref), ref.namespace);
  const controller = await checkController(client, where, engine, engineNamespaces[engine]);
  if (engine === 'chaos-mesh') {
    for (const ns of targeted) if (ns !== ref.namespace) await client.requireAccess(['create'], ref.group, ref.plural, ns);
    if (ref.kind === 'DNSChaos') await checkDnsServer(client, where, engineNamespaces['chaos-mesh']);
    return controller;
  }
  if (!compiled.experiment) return controller;
  const installed = await client.read({ ...ref, kind: 'ChaosExperiment', plural: 'chaosexperiments', name: compiled.experiment });
  if (!installed) {
    throw new UserError(
      `${where}: the Litmus ChaosExperiment ${compiled.experiment} is not installed in namespace ${ref.namespace}; install it from ChaosHub (chaos-charts faults/kubernetes/${compiled.experiment}/fault.yaml) with kubectl apply -n ${ref.namespace}`,
    );
  }
  // chaos-operator starts the experiment's runner pod with this service account; without it nothing
  // runs and the step would only end in an injection timeout
  const account = String(compiled.body.spec?.chaosServiceAccount ?? '');
  const sa = await client.read({
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    namespace: ref.namespace,
    name: account,
  });
  if (!sa) {
    throw new UserError(
      `${where}: the Litmus chaos service account ${account} does not exist in namespace ${ref.namespace}; create it with the experiment's RBAC (chaos-charts faults/kubernetes/${compiled.experiment}/rbac.yaml, kubectl apply -n ${ref.namespace}), or name an existing one in spec.kubernetes.serviceAccount`,
    );
  }
  return controller;
}

/** DNSChaos redirects the pods' DNS to Chaos Mesh's own DNS server: without its Service nothing is injected. */
async function checkDnsServer(client: KubeClient, where: string, namespace: string): Promise<void> {
  await client.requireAccess(['get'], '', 'services', namespace);
  const service = await client.read({
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    namespace,
    name: CHAOS_MESH_DNS_SERVICE,
  });
  if (!service) {
    throw new UserError(
      `${where}: DNSChaos needs Chaos Mesh's DNS server, and there is no Service ${CHAOS_MESH_DNS_SERVICE} in namespace ${namespace}; install Chaos Mesh with --set dnsServer.create=true (helm upgrade chaos-mesh chaos-mesh/chaos-mesh -n ${namespace} --reuse-values --set dnsServer.create=true), or set spec.kubernetes.chaosMeshNamespace to where Chaos Mesh runs`,
    );
  }
}
