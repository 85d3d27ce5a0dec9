/**
 * A fake Kubernetes API server for tests (no cluster can run here). It speaks the real wire format for
 * what faultline uses: discovery (/api, /apis, /apis/GROUP/VERSION), GET/LIST/WATCH/POST/PUT/PATCH/DELETE
 * of namespaced objects (pods, Deployments, ReplicaSets, StatefulSets, Chaos Mesh and Litmus custom
 * resources), SelfSubjectAccessReviews, `kind: Status` errors (401, 403, 404, 409, 422), resourceVersion,
 * uid, generation, creationTimestamp, deletionTimestamp and finalizers, and watch streams (JSON lines).
 *
 * It also plays the controllers:
 * - Chaos Mesh: adds the `chaos-mesh/records` finalizer, selects pods, writes `status.conditions`
 *   (Selected, AllInjected, AllRecovered, Paused) and `status.experiment.containerRecords` after a delay;
 *   honours the pause annotation; on delete recovers, then removes its finalizer; PodChaos pod-kill
 *   deletes the pods.
 * - Litmus: ChaosEngine `status.engineStatus` and `experiments[]`, a ChaosResult per experiment with
 *   `history.targets`, `engineState: stop`, and the engine finalizer.
 * - ReplicaSets: a deleted pod is replaced (optionally), and Deployment/StatefulSet ready replicas follow the pods.
 *
 * Created Chaos Mesh and Litmus objects are validated against the real CRD schemas in
 * ../shared/reference (as an API server does, and strictly: a field the schema would prune is an error).
 *
 * Written from the engines' behaviour (each rule cites its source): Chaos Mesh's validating webhook
 * (./chaos-mesh-webhook.ts), records through `Not Injected/Wait`, recovery at `spec.duration`;
 * litmus-go's ChaosResult sequence (annotations while running, history.targets at the end, errorOutput),
 * the runner refused without its service account; the Eviction API with PodDisruptionBudgets (429);
 * only JSON patch and merge patch (415 for strategic merge patch and server-side apply, which it does not
 * play faithfully).
 *
 * Test hooks: forbid a verb (RBAC), deny admission (a webhook), fail injection, keep a finalizer
 * forever, drop watch streams, fail the next matching request, stop an engine's controller and start it
 * again (controllerDown, controllerUp), seed service accounts.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { chaosMeshWebhookErrors, goDurationMs } from './chaos-mesh-webhook.js';

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are free-form JSON here
export type KObject = Record<string, any>;

interface ResourceType {
  group: string; // '' for core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  installed: () => boolean;
}

const CHAOS_MESH_KINDS = ['NetworkChaos', 'PodChaos', 'StressChaos', 'TimeChaos', 'IOChaos', 'HTTPChaos', 'DNSChaos'];
const CHAOS_MESH_OTHER = ['Workflow', 'Schedule', 'StatusCheck'];
const LITMUS_KINDS = ['ChaosEngine', 'ChaosExperiment', 'ChaosResult'];

export interface FakeKubeOptions {
  token?: string;
  chaosMesh?: boolean;
  litmus?: boolean;
  /** delay before a controller reports an object injected (default 80ms) */
  injectDelayMs?: number;
  /** delay before a controller recovers a deleted object (default 80ms) */
  recoverDelayMs?: number;
  /** a deleted pod owned by a ReplicaSet is replaced; the new pod is Ready after podStartMs */
  replaceDeletedPods?: boolean;
  podStartMs?: number;
  /** validate created Chaos Mesh and Litmus objects against the CRDs (default true) */
  validate?: boolean;
  /** Litmus: delay between the ChaosResult's creation (SOT) and the helpers' `injected` annotations (default 80ms) */
  litmusAnnotateDelayMs?: number;
  /** Litmus: TOTAL_CHAOS_DURATION is in seconds; the fake's experiments last this many ms per second (default 1000) */
  litmusSecondMs?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  contentType?: string;
  body?: unknown;
  /** when the request arrived (Date.now()) */
  at?: number;
}

interface Watcher {
  res: ServerResponse;
  matches: (o: KObject) => boolean;
  type: ResourceType;
}

interface Forbidden {
  verb: string;
  resource: string;
  namespace?: string;
}

interface OneShotFailure {
  method: string;
  pathIncludes: string;
  status: number;
  reason: string;
  message: string;
}

export interface PodSeed {
  namespace?: string;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ready?: boolean;
  phase?: string;
  nodeName?: string;
  owner?: { kind: string; name: string; uid: string; apiVersion?: string };
  containers?: string[];
}

const now = () => new Date().toISOString();

export class FakeKubeApiServer {
  readonly token: string;
  private server!: Server;
  url = '';
  private rv = 1;
  private readonly store = new Map<string, KObject>();
  private readonly watchers = new Set<Watcher>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly requests: RequestRecord[] = [];
  /** every pod deletion: namespace/name and the grace period asked */
  readonly podDeletions: { namespace: string; name: string; gracePeriodSeconds: number | undefined }[] = [];
  private readonly forbidden: Forbidden[] = [];
  private readonly admissionDenials = new Map<string, string>();
  private readonly injectionFailures = new Map<string, string>();
  private readonly stuck = new Set<string>();
  private readonly oneShots: OneShotFailure[] = [];
  /** engines whose controller is down: their reconciliations wait until it is back */
  /** Litmus pod-delete runs: the pods killed, by ChaosResult uid (litmus-go keeps them in memory until EOT) */
  private readonly litmusKilled = new Map<string, string[]>();
  private readonly controllersDown = new Map<'chaos-mesh' | 'litmus', (() => void)[]>();
  private chaosMeshInstalled: boolean;
  private litmusInstalled: boolean;
  private readonly types: ResourceType[];
  private closed = false;

  private constructor(private readonly options: FakeKubeOptions) {
    this.token = options.token ?? 'fake-token';
    this.chaosMeshInstalled = options.chaosMesh ?? true;
    this.litmusInstalled = options.litmus ?? true;
    const always = () => true;
    const cm = () => this.chaosMeshInstalled;
    const lm = () => this.litmusInstalled;
    this.types = [
      { group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, installed: always },
      { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, installed: always },
      { group: '', version: 'v1', plural: 'services', singular: 'service', kind: 'Service', namespaced: true, installed: always },
      {
        group: '',
        version: 'v1',
        plural: 'serviceaccounts',
        singular: 'serviceaccount',
        kind: 'ServiceAccount',
        namespaced: true,
        installed: always,
      },
      {
        group: 'apps',
        version: 'v1',
        plural: 'deployments',
        singular: 'deployment',
        kind: 'Deployment',
        namespaced: true,
        installed: always,
      },
      {
        group: 'apps',
        version: 'v1',
        plural: 'replicasets',
        singular: 'replicaset',
        kind: 'ReplicaSet',
        namespaced: true,
        installed: always,
      },
      {
        group: 'apps',
        version: 'v1',
        plural: 'statefulsets',
        singular: 'statefulset',
        kind: 'StatefulSet',
        namespaced: true,
        installed: always,
      },
      {
        group: 'apps',
        version: 'v1',
        plural: 'daemonsets',
        singular: 'daemonset',
        kind: 'DaemonSet',
        namespaced: true,
        installed: always,
      },
      {
        group: 'policy',
        version: 'v1',
        plural: 'poddisruptionbudgets',
        singular: 'poddisruptionbudget',
        kind: 'PodDisruptionBudget',
        namespaced: true,
        installed: always,
      },
      ...[...CHAOS_MESH_KINDS, ...CHAOS_MESH_OTHER].map((kind) => ({
        group: 'chaos-mesh.org',
        version: 'v1alpha1',
        plural: kind.toLowerCase() + (kind.endsWith('Chaos') ? '' : kind === 'StatusCheck' ? 'es' : 's'),
        singular: kind.toLowerCase(),
        kind,
        namespaced: true,
        installed: cm,
      })),
      ...LITMUS_KINDS.map((kind) => ({
        group: 'litmuschaos.io',
        version: 'v1alpha1',
        plural: `${kind.toLowerCase()}s`,
        singular: kind.toLowerCase(),
        kind,
        namespaced: true,
        installed: lm,
      })),
    ];
  }

  static async start(options: FakeKubeOptions = {}): Promise<FakeKubeApiServer> {
    const fake = new FakeKubeApiServer(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((error) => {
        if (!res.headersSent) fake.status(res, 500, 'InternalError', String(error));
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    fake.seedNamespace('default');
    // the engines' controllers, as their Helm charts deploy them (the preflight looks for them)
    if (options.chaosMesh !== false) fake.seedController('chaos-mesh');
    if (options.litmus !== false) fake.seedController('litmus');
    return fake;
  }

  /** An engine's controller Deployment, one ready replica (Chaos Mesh's chart, Litmus's litmus-core chart). */
  seedController(engine: 'chaos-mesh' | 'litmus'): KObject {
    return engine === 'chaos-mesh'
      ? this.seedDeployment({
          namespace: 'chaos-mesh',
          name: 'chaos-controller-manager',
          replicas: 1,
          labels: { 'app.kubernetes.io/component': 'controller-manager' },
          containers: [
            { name: 'chaos-mesh', image: 'ghcr.io/chaos-mesh/chaos-mesh:v2.7.2', command: ['/usr/local/bin/chaos-controller-manager'] },
          ],
        })
      : this.seedDeployment({
          namespace: 'litmus',
          name: 'litmus-core',
          replicas: 1,
          labels: { app: 'litmus' },
          containers: [{ name: 'chaos-operator', image: 'litmuschaos/chaos-operator:3.18.0', command: ['chaos-operator'] }],
        });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig file that points at this server (token auth). */
  writeKubeconfig(dir: string, options: { context?: string; namespace?: string; token?: string; server?: string } = {}): string {
    mkdirSync(dir, { recursive: true });
    const context = options.context ?? 'fake';
    const file = join(dir, `kubeconfig-${context}.yaml`);
    writeFileSync(
      file,
      `apiVersion: v1
kind: Config
clusters:
- name: fake-cluster
  cluster:
    server: ${options.server ?? this.url}
    # the client refuses plain HTTP unless TLS verification is off; the fake listens on loopback only
    insecure-skip-tls-verify: true
users:
- name: fake-user
  user:
    token: ${options.token ?? this.token}
contexts:
- name: ${context}
  context:
    cluster: fake-cluster
    user: fake-user
${options.namespace ? `    namespace: ${options.namespace}\n` : ''}current-context: ${context}
`,
    );
    return file;
  }

  // ---------- test hooks ----------

  setInstalled(engine: 'chaos-mesh' | 'litmus', installed: boolean): void {
    if (engine === 'chaos-mesh') this.chaosMeshInstalled = installed;
    else this.litmusInstalled = installed;
  }

  /** RBAC: `verb` on `resource` (plural) is forbidden, in one namespace or all. */
  forbid(verb: string, resource: string, namespace?: string): void {
    this.forbidden.push({ verb, resource, namespace });
  }

  /** An admission webhook denies every create of this kind. */
  denyAdmission(kind: string, message: string): void {
    this.admissionDenials.set(kind, message);
  }

  /** The chaos controller fails to inject objects of this kind (a Failed Apply event per record). */
  failInjection(kind: string, message: string): void {
    this.injectionFailures.set(kind, message);
  }

  /** The controller never manages to recover objects of this kind: their finalizer stays. */
  keepFinalizer(kind: string, keep = true): void {
    if (keep) this.stuck.add(kind);
    else {
      this.stuck.delete(kind);
      for (const o of this.store.values()) if (o.kind === kind && o.metadata.deletionTimestamp) this.scheduleRecovery(o);
    }
  }

  /** The next request whose method and path match fails with this status. */
  /**
   * Stops an engine's controller (its Deployment down, or restarting): nothing it would do happens
   * until `controllerUp`, when a restarted controller reconciles every object it missed (controller-
   * runtime replays the informers' cache on start).
   */
  controllerDown(engine: 'chaos-mesh' | 'litmus'): void {
    if (!this.controllersDown.has(engine)) this.controllersDown.set(engine, []);
  }

  /** The controller's Deployment has no available replica (its pods not ready), or has one again. */
  controllerUnavailable(engine: 'chaos-mesh' | 'litmus', unavailable = true): void {
    const namespace = engine === 'chaos-mesh' ? 'chaos-mesh' : 'litmus';
    for (const pod of this.list('pods', namespace)) this.setPodReady(namespace, pod.metadata.name, !unavailable);
  }

  controllerUp(engine: 'chaos-mesh' | 'litmus'): void {
    const held = this.controllersDown.get(engine) ?? [];
    this.controllersDown.delete(engine);
    for (const fn of held) this.later(10, fn);
  }

  /** A ChaosHub experiment and its chaos service account (none: null), as `kubectl apply` of chaos-charts leaves them. */
  seedLitmusExperiment(namespace: string, name: string, serviceAccount: string | null = `${name}-sa`): void {
    this.seedObject({
      apiVersion: 'litmuschaos.io/v1alpha1',
      kind: 'ChaosExperiment',
      metadata: { name, namespace },
      spec: { definition: { image: 'litmuschaos/go-runner:3.18.0' } },
    });
    if (serviceAccount) this.seedServiceAccount(namespace, serviceAccount);
  }

  seedServiceAccount(namespace: string, name: string): KObject {
    this.seedNamespace(namespace);
    return this.put(this.type('', 'serviceaccounts'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  }

  failNext(failure: OneShotFailure): void {
    this.oneShots.push(failure);
  }

  /** Closes every open watch stream, as a load balancer or an API server restart does. */
  dropWatches(): void {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  // ---------- seeding and inspection ----------

  seedNamespace(name: string): void {
    if (!this.store.has(this.key(this.type('', 'namespaces'), undefined, name))) {
      this.put(this.type('', 'namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  }

  seedPod(seed: PodSeed): KObject {
    const namespace = seed.namespace ?? 'default';
    this.seedNamespace(namespace);
    const ready = seed.ready ?? true;
    const pod: KObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: seed.name,
        namespace,
        labels: seed.labels ?? {},
        ...(seed.annotations ? { annotations: seed.annotations } : {}),
        ...(seed.owner
          ? {
              ownerReferences: [
                {
                  apiVersion: seed.owner.apiVersion ?? 'apps/v1',
                  kind: seed.owner.kind,
                  name: seed.owner.name,
                  uid: seed.owner.uid,
                  controller: true,
                },
              ],
            }
          : {}),
      },
      spec: {
        nodeName: seed.nodeName ?? 'node-1',
        containers: (seed.containers ?? ['app']).map((name) => ({ name, image: `example/${name}:1` })),
      },
      status: {
        phase: seed.phase ?? 'Running',
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
        podIP: `10.0.0.${(this.rv % 250) + 1}`,
      },
    };
    const stored = this.put(this.type('', 'pods'), pod);
    this.recomputeWorkloads(namespace);
    return stored;
  }

  /** A Deployment with its ReplicaSet and `replicas` Ready pods named `<name>-<n>`. */
  seedDeployment(d: {
    namespace?: string;
    name: string;
    replicas: number;
    labels: Record<string, string>;
    readyPods?: number;
    containers?: KObject[];
  }): KObject {
    const namespace = d.namespace ?? 'default';
    this.seedNamespace(namespace);
    const template = { metadata: { labels: d.labels }, ...(d.containers ? { spec: { containers: d.containers } } : {}) };
    const deployment = this.put(this.type('apps', 'deployments'), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: d.name, namespace, labels: d.labels },
      spec: { replicas: d.replicas, selector: { matchLabels: d.labels }, template },
      status: {},
    });
    const rs = this.put(this.type('apps', 'replicasets'), {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.name}-rs`,
        namespace,
        labels: d.labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.name, uid: deployment.metadata.uid, controller: true }],
      },
      spec: { replicas: d.replicas, selector: { matchLabels: d.labels } },
      status: {},
    });
    for (let i = 0; i < d.replicas; i++) {
      this.seedPod({
        namespace,
        name: `${d.name}-${i}`,
        labels: d.labels,
        ready: i < (d.readyPods ?? d.replicas),
        owner: { kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid },
      });
    }
    return this.get('deployments', namespace, d.name) as KObject;
  }

  seedObject(object: KObject): KObject {
    const [group, version] = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/') : ['', object.apiVersion];
    const type = this.types.find((t) => t.group === group && t.version === version && t.kind === object.kind);
    if (!type) throw new Error(`fake API server: unknown kind ${object.apiVersion} ${object.kind}`);
    return this.put(type, structuredClone(object));
  }

  /** Every stored object of a resource (plural), optionally in one namespace. */
  list(plural: string, namespace?: string): KObject[] {
    return [...this.store.values()].filter(
      (o) => this.typeOf(o)?.plural === plural && (namespace === undefined || o.metadata.namespace === namespace),
    );
  }

  get(plural: string, namespace: string | undefined, name: string): KObject | undefined {
    const type = this.types.find((t) => t.plural === plural);
    return type ? this.store.get(this.key(type, namespace, name)) : undefined;
  }

  /** Marks a pod Ready or not (and updates its workload's ready replicas). */
  setPodReady(namespace: string, name: string, ready: boolean): void {
    const pod = this.get('pods', namespace, name);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    pod.status.conditions = [{ type: 'Ready', status: ready ? 'True' : 'False' }];
    this.touch(this.type('', 'pods'), pod, 'MODIFIED');
    this.recomputeWorkloads(namespace);
  }

  // ---------- HTTP ----------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      status: 0,
      contentType: req.headers['content-type'],
      body,
      at: Date.now(),
    };
    this.requests.push(record);
    const send = (status: number, payload: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      record.status = 401;
      return this.status(res, 401, 'Unauthorized', 'Unauthorized');
    }
    const shot = this.oneShots.findIndex((f) => f.method === record.method && url.pathname.includes(f.pathIncludes));
    if (shot >= 0) {
      const [f] = this.oneShots.splice(shot, 1);
      record.status = f!.status;
      return this.status(res, f!.status, f!.reason, f!.message);
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') return send(200, this.groupList());
    if (path === '/version') return send(200, { major: '1', minor: '30', gitVersion: 'v1.30.0-fake' });
    if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' && req.method === 'POST') {
      return send(201, this.accessReview(body as KObject));
    }
    const eviction = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/.exec(path);
    if (eviction && req.method === 'POST') {
      const [, ns, podName] = eviction as unknown as [string, string, string];
      if (
        this.forbidden.some(
          (f) => f.verb === 'create' && f.resource === 'pods/eviction' && (f.namespace === undefined || f.namespace === ns),
        )
      ) {
        return send(
          403,
          statusBody(403, 'Forbidden', `pods "${podName}" is forbidden: cannot create resource "pods/eviction" in namespace "${ns}"`),
        );
      }
      const answer = this.evict(ns, podName, body as KObject);
      return send(answer.status, answer.body);
    }
    const route = this.route(path);
    if (!route) {
      record.status = 404;
      return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
    if ('resources' in route) return send(200, route.resources);
    const { type, namespace, name } = route;
    const verb = verbOf(req.method ?? 'GET', name, url.searchParams.get('watch'));
    const denied = this.forbidden.find(
      (f) => f.verb === verb && f.resource === type.plural && (f.namespace === undefined || f.namespace === namespace),
    );
    if (denied) {
      record.status = 403;
      const what = `${type.plural}${type.group ? `.${type.group}` : ''}${name ? ` "${name}"` : ''}`;
      return this.status(
        res,
        403,
        'Forbidden',
        `${what} is forbidden: User "system:serviceaccount:faultline:faultline" cannot ${verb} resource "${type.plural}" in API group "${type.group}"${namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'}`,
        { name, group: type.group, kind: type.plural },
      );
    }
    const result = this.serve(type, namespace, name, verb, url.searchParams, body, req, res);
    if (result === 'streaming') {
      record.status = 200;
      return;
    }
    record.status = result.status;
    res.writeHead(result.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result.body));
  }

  private status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(statusBody(code, reason, message, details)));
  }

  private groupList(): KObject {
    const groups = new Map<string, string>();
    for (const t of this.types) if (t.group && t.installed()) groups.set(t.group, t.version);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, version]) => ({
        name,
        versions: [{ groupVersion: `${name}/${version}`, version }],
        preferredVersion: { groupVersion: `${name}/${version}`, version },
      })),
    };
  }

  private resourceList(group: string, version: string): KObject | null {
    const types = this.types.filter((t) => t.group === group && t.version === version && t.installed());
    if (!types.length) return null;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: types.map((t) => ({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      })),
    };
  }

  private route(
    path: string,
  ): { resources: KObject } | { type: ResourceType; namespace: string | undefined; name: string | undefined } | null {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      group = '';
      version = parts[1] ?? '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      group = parts[1] ?? '';
      version = parts[2] ?? '';
      rest = parts.slice(3);
    } else return null;
    if (rest.length === 0) {
      const list = this.resourceList(group, version);
      return list ? { resources: list } : null;
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = this.types.find((t) => t.group === group && t.version === version && t.plural === rest[0] && t.installed());
    if (!type || rest.length > 2) return null;
    return { type, namespace, name: rest[1] };
  }

  private serve(
    type: ResourceType,
    namespace: string | undefined,
    name: string | undefined,
    verb: string,
    query: URLSearchParams,
    body: unknown,
    req: IncomingMessage,
    res: ServerResponse,
  ): { status: number; body: unknown } | 'streaming' {
    const notFound = () => ({
      status: 404,
      body: statusBody(404, 'NotFound', `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`, {
        name,
        group: type.group,
        kind: type.plural,
      }),
    });
    if (
      type.namespaced &&
      namespace &&
      type.plural !== 'namespaces' &&
      !this.store.has(this.key(this.type('', 'namespaces'), undefined, namespace))
    ) {
      if (verb === 'create') {
        return {
          status: 404,
          body: statusBody(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' }),
        };
      }
    }
    switch (verb) {
      case 'list':
      case 'watch': {
        const selector = {
          label: query.get('labelSelector') ?? '',
          field: query.get('fieldSelector') ?? '',
        };
        const matches = (o: KObject) =>
          this.typeOf(o) === type &&
          (namespace === undefined || o.metadata.namespace === namespace) &&
          matchLabelSelector(selector.label, o.metadata.labels ?? {}) &&
          matchFieldSelector(selector.field, o);
        if (verb === 'watch') {
          res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
          const watcher: Watcher = { res, matches, type };
          const since = query.get('resourceVersion');
          if (!since || since === '0') {
            for (const o of this.store.values()) if (matches(o)) res.write(`${JSON.stringify({ type: 'ADDED', object: o })}\n`);
          }
          this.watchers.add(watcher);
          const timeout = Number(query.get('timeoutSeconds') ?? 0);
          const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
          req.on('close', () => {
            if (timer) clearTimeout(timer);
            this.watchers.delete(watcher);
          });
          return 'streaming';
        }
        const items = [...this.store.values()].filter(matches);
        return {
          status: 200,
          body: {
            apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
            kind: `${type.kind}List`,
            metadata: { resourceVersion: String(this.rv) },
            items,
          },
        };
      }
      case 'get': {
        const o = this.store.get(this.key(type, namespace, name));
        return o ? { status: 200, body: o } : notFound();
      }
      case 'create': {
        const o = structuredClone(body as KObject);
        if (!o?.metadata?.name && o?.metadata?.generateName) o.metadata.name = `${o.metadata.generateName}${randomUUID().slice(0, 5)}`;
        const objectName = o?.metadata?.name;
        if (typeof objectName !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(objectName) || objectName.length > 253) {
          return {
            status: 422,
            body: statusBody(
              422,
              'Invalid',
              `${type.kind} "${objectName}" is invalid: metadata.name: Invalid value: "${objectName}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
              { name: objectName, group: type.group, kind: type.kind },
            ),
          };
        }
        if (o.kind !== type.kind) {
          return { status: 400, body: statusBody(400, 'BadRequest', `the kind ${o.kind} does not match the resource ${type.plural}`) };
        }
        o.metadata.namespace = namespace;
        if (this.store.has(this.key(type, namespace, objectName))) {
          return {
            status: 409,
            body: statusBody(409, 'AlreadyExists', `${type.plural}${type.group ? `.${type.group}` : ''} "${objectName}" already exists`, {
              name: objectName,
              group: type.group,
              kind: type.plural,
            }),
          };
        }
        const denial = this.admissionDenials.get(type.kind);
        if (denial) {
          const webhook = `v${type.kind.toLowerCase()}.kb.io`;
          return { status: 403, body: statusBody(403, 'Forbidden', `admission webhook "${webhook}" denied the request: ${denial}`) };
        }
        delete o.status;
        if (type.group === 'chaos-mesh.org') {
          const refused = chaosMeshWebhookErrors(o);
          if (refused.length) {
            const webhook = `v${type.kind.toLowerCase()}.kb.io`;
            return {
              status: 403,
              body: statusBody(403, 'Forbidden', `admission webhook "${webhook}" denied the request: ${refused.join(', ')}`),
            };
          }
        }
        if (this.options.validate !== false && (type.group === 'chaos-mesh.org' || type.group === 'litmuschaos.io')) {
          const errors = validateAgainstCrd(o);
          if (errors.length) {
            return {
              status: 422,
              body: statusBody(422, 'Invalid', `${type.kind}.${type.group} "${objectName}" is invalid: ${errors.join(', ')}`, {
                name: objectName,
                group: type.group,
                kind: type.kind,
              }),
            };
          }
        }
        const stored = this.put(type, o);
        this.afterCreate(type, stored);
        return { status: 201, body: stored };
      }
      case 'update': {
        const existing = this.store.get(this.key(type, namespace, name));
        if (!existing) return notFound();
        const o = structuredClone(body as KObject);
        if (o.metadata?.resourceVersion && o.metadata.resourceVersion !== existing.metadata.resourceVersion) {
          return {
            status: 409,
            body: statusBody(
              409,
              'Conflict',
              `Operation cannot be fulfilled on ${type.plural}${type.group ? `.${type.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
              { name, group: type.group, kind: type.plural },
            ),
          };
        }
        o.metadata = {
          ...o.metadata,
          uid: existing.metadata.uid,
          creationTimestamp: existing.metadata.creationTimestamp,
          deletionTimestamp: existing.metadata.deletionTimestamp,
        };
        return { status: 200, body: this.replace(type, existing, o) };
      }
      case 'patch': {
        const existing = this.store.get(this.key(type, namespace, name));
        if (!existing) return notFound();
        const contentType = String(req.headers['content-type'] ?? '');
        let patched: KObject;
        if (contentType.includes('application/json-patch+json')) patched = applyJsonPatch(structuredClone(existing), body as JsonPatchOp[]);
        else if (contentType.includes('application/merge-patch+json')) patched = mergePatch(structuredClone(existing), body) as KObject;
        else {
          // strategic merge patch and server-side apply are not played faithfully here, so they are refused
          // (the real API server refuses strategic merge patch on custom resources with the same 415)
          return {
            status: 415,
            body: statusBody(
              415,
              'UnsupportedMediaType',
              `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`,
            ),
          };
        }
        patched.metadata.uid = existing.metadata.uid;
        const stored = this.replace(type, existing, patched);
        this.afterUpdate(type, existing, stored);
        return { status: 200, body: stored };
      }
      case 'delete': {
        const existing = this.store.get(this.key(type, namespace, name));
        if (!existing) return notFound();
        const options = (body ?? {}) as KObject;
        const uid = options.preconditions?.uid;
        if (uid && uid !== existing.metadata.uid) {
          return {
            status: 409,
            body: statusBody(
              409,
              'Conflict',
              `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid}`,
              { name, group: type.group, kind: type.plural },
            ),
          };
        }
        const grace = options.gracePeriodSeconds ?? (query.has('gracePeriodSeconds') ? Number(query.get('gracePeriodSeconds')) : undefined);
        if (type.plural === 'pods') this.podDeletions.push({ namespace: namespace ?? '', name: name ?? '', gracePeriodSeconds: grace });
        if (existing.metadata.finalizers?.length) {
          if (!existing.metadata.deletionTimestamp) {
            existing.metadata.deletionTimestamp = now();
            existing.metadata.deletionGracePeriodSeconds = 0;
            this.touch(type, existing, 'MODIFIED');
            this.afterDeleteRequested(type, existing);
          }
          return { status: 200, body: existing };
        }
        this.remove(type, existing);
        return { status: 200, body: existing };
      }
      default:
        return { status: 405, body: statusBody(405, 'MethodNotAllowed', `${verb} is not supported`) };
    }
  }

  /** Evicted pods: namespace/name, in order. */
  readonly evictions: string[] = [];

  /**
   * The Eviction API: a pod covered by a PodDisruptionBudget is deleted only if the budget allows one more
   * disruption now (its minAvailable ready pods would remain), else 429 TooManyRequests with a
   * DisruptionBudget cause, as the API server's eviction REST handler answers (the real one reads the
   * budget's status.disruptionsAllowed, kept by the disruption controller; the fake counts at once).
   */
  private evict(namespace: string, name: string, eviction: KObject): { status: number; body: KObject } {
    const pod = this.get('pods', namespace, name);
    if (!pod) return { status: 404, body: statusBody(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }) };
    const uid = eviction?.deleteOptions?.preconditions?.uid;
    if (uid && uid !== pod.metadata.uid) {
      return {
        status: 409,
        body: statusBody(409, 'Conflict', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`),
      };
    }
    const ready = (p: KObject) => p.status?.conditions?.some((c: KObject) => c.type === 'Ready' && c.status === 'True') ?? false;
    for (const pdb of this.list('poddisruptionbudgets', namespace)) {
      const wanted = (pdb.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
      const covers = (p: KObject) => Object.entries(wanted).every(([k, v]) => p.metadata.labels?.[k] === v);
      if (!covers(pod)) continue;
      const healthy = this.list('pods', namespace).filter((p) => covers(p) && ready(p)).length;
      const min = Number(pdb.spec?.minAvailable ?? 0);
      if (ready(pod) && healthy - 1 < min) {
        return {
          status: 429,
          body: statusBody(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
            causes: [
              {
                reason: 'DisruptionBudget',
                message: `The disruption budget ${pdb.metadata.name} needs ${min} healthy pods and has ${healthy} currently`,
              },
            ],
          }),
        };
      }
    }
    this.evictions.push(`${namespace}/${name}`);
    this.podDeletions.push({ namespace, name, gracePeriodSeconds: eviction?.deleteOptions?.gracePeriodSeconds });
    this.remove(this.type('', 'pods'), pod);
    return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
  }

  private accessReview(review: KObject): KObject {
    const attrs = review?.spec?.resourceAttributes ?? {};
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const denied = this.forbidden.find(
      (f) => f.verb === attrs.verb && f.resource === resource && (f.namespace === undefined || f.namespace === attrs.namespace),
    );
    return {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec: review?.spec ?? {},
      status: denied ? { allowed: false, reason: '' } : { allowed: true, reason: 'RBAC: allowed by the fake' },
    };
  }

  // ---------- store ----------

  private type(group: string, plural: string): ResourceType {
    const t = this.types.find((x) => x.group === group && x.plural === plural);
    if (!t) throw new Error(`no type ${group}/${plural}`);
    return t;
  }

  private typeOf(o: KObject): ResourceType | undefined {
    const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', o.apiVersion];
    return this.types.find((t) => t.group === group && t.version === version && t.kind === o.kind);
  }

  private key(type: ResourceType, namespace: string | undefined, name: string | undefined): string {
    return `${type.group}/${type.plural}/${type.namespaced ? (namespace ?? '') : ''}/${name ?? ''}`;
  }

  private put(type: ResourceType, o: KObject): KObject {
    o.apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    o.kind = type.kind;
    o.metadata = {
      ...o.metadata,
      uid: o.metadata.uid ?? randomUUID(),
      resourceVersion: String(++this.rv),
      generation: 1,
      creationTimestamp: o.metadata.creationTimestamp ?? now(),
    };
    this.store.set(this.key(type, o.metadata.namespace, o.metadata.name), o);
    this.notify('ADDED', o);
    return o;
  }

  private replace(type: ResourceType, existing: KObject, next: KObject): KObject {
    const specChanged = JSON.stringify(existing.spec) !== JSON.stringify(next.spec);
    next.metadata.resourceVersion = String(++this.rv);
    next.metadata.generation = (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    this.store.set(this.key(type, next.metadata.namespace, next.metadata.name), next);
    this.notify('MODIFIED', next);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) this.remove(type, next);
    return next;
  }

  /** Records a change made in place by a controller. */
  private touch(type: ResourceType, o: KObject, event: 'MODIFIED'): void {
    o.metadata.resourceVersion = String(++this.rv);
    this.store.set(this.key(type, o.metadata.namespace, o.metadata.name), o);
    this.notify(event, o);
  }

  private remove(type: ResourceType, o: KObject): void {
    this.store.delete(this.key(type, o.metadata.namespace, o.metadata.name));
    o.metadata.resourceVersion = String(++this.rv);
    this.notify('DELETED', o);
    if (type.plural === 'pods') this.afterPodRemoved(o);
  }

  private notify(type: string, o: KObject): void {
    for (const w of this.watchers) if (w.matches(o)) w.res.write(`${JSON.stringify({ type, object: o })}\n`);
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  // ---------- controllers ----------

  /** A controller's action after `ms`; held while that engine's controller is down. */
  private controllerLater(engine: 'chaos-mesh' | 'litmus', ms: number, fn: () => void): void {
    this.later(ms, () => {
      const held = this.controllersDown.get(engine);
      if (held) held.push(fn);
      else fn();
    });
  }

  private afterCreate(type: ResourceType, o: KObject): void {
    if (CHAOS_MESH_KINDS.includes(type.kind)) {
      this.controllerLater('chaos-mesh', this.options.injectDelayMs ?? 80, () => this.chaosMeshInject(type, o));
      this.scheduleTimeUp(type, o);
    }
    if (type.kind === 'ChaosEngine') {
      this.controllerLater('litmus', 0, () => {
        const stored = this.store.get(this.key(type, o.metadata.namespace, o.metadata.name));
        if (!stored || stored.metadata.uid !== o.metadata.uid) return;
        stored.metadata.finalizers = ['chaosengine.litmuschaos.io/finalizer'];
        this.touch(type, stored, 'MODIFIED');
      });
      this.controllerLater('litmus', this.options.injectDelayMs ?? 80, () => this.litmusStart(type, o));
    }
  }

  /**
   * Chaos Mesh's dead-man: once `spec.duration` has passed since the object's creation, desiredPhase
   * becomes Stop and every record is recovered, whether or not anyone is still around
   * (CalcDesiredPhase and DurationExceeded, controllers/common/desiredphase/controller.go). The object
   * itself stays until someone deletes it.
   */
  private scheduleTimeUp(type: ResourceType, created: KObject): void {
    const ms = created.spec?.duration === undefined ? null : goDurationMs(String(created.spec.duration));
    if (ms === null || created.spec?.action === 'pod-kill' || created.spec?.action === 'container-kill') return;
    const { namespace, name } = created.metadata;
    this.controllerLater('chaos-mesh', Math.max(0, ms), () => {
      const o = this.store.get(this.key(type, namespace, name));
      if (!o || o.metadata.uid !== created.metadata.uid || o.metadata.deletionTimestamp) return;
      this.chaosMeshRecover(type, namespace, name, 'duration');
    });
  }

  private afterUpdate(type: ResourceType, before: KObject, after: KObject): void {
    if (CHAOS_MESH_KINDS.includes(type.kind)) {
      const was = before.metadata.annotations?.['experiment.chaos-mesh.org/pause'] === 'true';
      const is = after.metadata.annotations?.['experiment.chaos-mesh.org/pause'] === 'true';
      if (is && !was)
        this.controllerLater('chaos-mesh', 20, () => this.chaosMeshRecover(type, after.metadata.namespace, after.metadata.name, 'pause'));
    }
    if (type.kind === 'ChaosEngine' && before.spec?.engineState !== 'stop' && after.spec?.engineState === 'stop') {
      this.controllerLater('litmus', 20, () => this.litmusStop(type, after.metadata.namespace, after.metadata.name));
    }
  }

  private afterDeleteRequested(type: ResourceType, o: KObject): void {
    this.scheduleRecovery(o, type);
  }

  private scheduleRecovery(o: KObject, type = this.typeOf(o) as ResourceType): void {
    if (this.stuck.has(type.kind)) return;
    const { namespace, name } = o.metadata;
    if (CHAOS_MESH_KINDS.includes(type.kind)) {
      this.controllerLater('chaos-mesh', this.options.recoverDelayMs ?? 80, () => {
        this.chaosMeshRecover(type, namespace, name, 'delete');
        this.later(20, () => this.dropFinalizer(type, namespace, name, 'chaos-mesh/records'));
      });
    }
    if (type.kind === 'ChaosEngine') {
      this.controllerLater('litmus', this.options.recoverDelayMs ?? 80, () => {
        this.litmusStop(type, namespace, name);
        this.later(20, () => this.dropFinalizer(type, namespace, name, 'chaosengine.litmuschaos.io/finalizer'));
      });
    }
  }

  private dropFinalizer(type: ResourceType, namespace: string, name: string, finalizer: string): void {
    const o = this.store.get(this.key(type, namespace, name));
    if (!o || this.stuck.has(type.kind)) return;
    o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
    if (o.metadata.deletionTimestamp && o.metadata.finalizers.length === 0) this.remove(type, o);
    else this.touch(type, o, 'MODIFIED');
  }

  private selectPods(o: KObject): KObject[] {
    const selector = o.spec?.selector ?? {};
    const pods = this.list('pods');
    if (selector.pods) {
      return Object.entries(selector.pods as Record<string, string[]>).flatMap(([ns, names]) =>
        names.flatMap((n) => pods.filter((p) => p.metadata.namespace === ns && p.metadata.name === n)),
      );
    }
    const namespaces: string[] = selector.namespaces ?? [o.metadata.namespace];
    return pods.filter(
      (p) =>
        namespaces.includes(p.metadata.namespace) &&
        Object.entries(selector.labelSelectors ?? {}).every(([k, v]) => p.metadata.labels?.[k] === v) &&
        Object.entries(selector.annotationSelectors ?? {}).every(([k, v]) => p.metadata.annotations?.[k] === v) &&
        (!selector.podPhaseSelectors || selector.podPhaseSelectors.includes(p.status?.phase)),
    );
  }

  private chaosMeshInject(type: ResourceType, created: KObject): void {
    const o = this.store.get(this.key(type, created.metadata.namespace, created.metadata.name));
    if (!o || o.metadata.uid !== created.metadata.uid || o.metadata.deletionTimestamp) return;
    o.metadata.finalizers = [...new Set([...(o.metadata.finalizers ?? []), 'chaos-mesh/records'])];
    const failure = this.injectionFailures.get(type.kind);
    const paused = o.metadata.annotations?.['experiment.chaos-mesh.org/pause'] === 'true';
    const selected = this.selectPods(o);
    const stamp = now();
    const records = selected.map((p) => ({
      id: `${p.metadata.namespace}/${p.metadata.name}`,
      selectorKey: '.',
      phase: failure || paused ? 'Not Injected' : 'Injected',
      injectedCount: failure || paused ? 0 : 1,
      recoveredCount: 0,
      events: [
        failure
          ? { type: 'Failed', operation: 'Apply', message: failure, timestamp: stamp }
          : { type: 'Succeeded', operation: 'Apply', timestamp: stamp },
      ],
    }));
    const injected = !failure && !paused && records.length > 0;
    if (injected && !created.metadata.annotations?.['fake.faultline.dev/applied']) {
      // an Apply in progress first: records `Not Injected/Wait`, AllInjected False (the records controller,
      // controllers/common/records/controller.go, goes through `Not Injected/*` phases before `Injected`)
      o.status = {
        conditions: [
          { type: 'Selected', status: 'True' },
          { type: 'AllInjected', status: 'False' },
          { type: 'AllRecovered', status: 'False' },
          { type: 'Paused', status: 'False' },
        ],
        experiment: {
          desiredPhase: 'Run',
          containerRecords: records.map((r) => ({ ...r, phase: 'Not Injected/Wait', injectedCount: 0, events: [] })),
        },
      };
      this.touch(type, o, 'MODIFIED');
      const applied = { ...created, metadata: { ...created.metadata, annotations: { 'fake.faultline.dev/applied': 'true' } } };
      this.controllerLater('chaos-mesh', 20, () => this.chaosMeshInject(type, applied));
      return;
    }
    o.status = {
      conditions: [
        { type: 'Selected', status: selected.length ? 'True' : 'False' },
        { type: 'AllInjected', status: injected ? 'True' : 'False' },
        { type: 'AllRecovered', status: 'False' },
        { type: 'Paused', status: paused ? 'True' : 'False' },
      ],
      experiment: { desiredPhase: paused ? 'Stop' : 'Run', containerRecords: records },
    };
    this.touch(type, o, 'MODIFIED');
    if (injected && type.kind === 'PodChaos' && o.spec.action === 'pod-kill') {
      for (const p of selected) {
        this.podDeletions.push({ namespace: p.metadata.namespace, name: p.metadata.name, gracePeriodSeconds: o.spec.gracePeriod });
        this.remove(this.type('', 'pods'), p);
      }
    }
  }

  private chaosMeshRecover(type: ResourceType, namespace: string, name: string, why: 'pause' | 'delete' | 'duration'): void {
    const o = this.store.get(this.key(type, namespace, name));
    if (!o?.status) return;
    const stamp = now();
    for (const r of o.status.experiment?.containerRecords ?? []) {
      if (r.phase === 'Injected') {
        r.phase = 'Not Injected';
        r.recoveredCount = (r.recoveredCount ?? 0) + 1;
        r.events = [...(r.events ?? []), { type: 'Succeeded', operation: 'Recover', timestamp: stamp }];
      }
    }
    o.status.experiment.desiredPhase = 'Stop';
    o.status.conditions = [
      { type: 'Selected', status: 'True' },
      { type: 'AllInjected', status: 'False' },
      { type: 'AllRecovered', status: 'True' },
      { type: 'Paused', status: why === 'pause' ? 'True' : 'False' },
    ];
    this.touch(type, o, 'MODIFIED');
  }

  /**
   * chaos-operator starts the experiment's runner with the engine's chaosServiceAccount; litmus-go then
   * plays this sequence on the ChaosResult `<engine>-<experiment>` (pkg/result/chaosresult.go):
   * - SOT: created with phase Running, verdict Awaited, probeSuccessPercentage Awaited and
   *   `history.targets: []` (InitializeChaosResult);
   * - while it runs, each helper annotates `pod/NAME: injected` (AnnotateChaosResult); pod-delete writes
   *   nothing (its targets live in memory, common.SetTargets) and deletes the pods;
   * - EOT after TOTAL_CHAOS_DURATION, or on `engineState: stop` (Stopped): the annotations are folded
   *   into history.targets and removed (GetChaosStatus), verdict Pass and probeSuccessPercentage 100
   *   (updateResultAttributes); a failure gives phase Error, verdict Error and errorOutput
   *   { errorCode, reason } (RecordAfterFailure, SetResultAfterCompletion in pkg/types/types.go).
   */
  private litmusStart(type: ResourceType, created: KObject): void {
    const o = this.store.get(this.key(type, created.metadata.namespace, created.metadata.name));
    if (!o || o.metadata.uid !== created.metadata.uid || o.metadata.deletionTimestamp) return;
    const ns = o.metadata.namespace;
    if (!this.get('serviceaccounts', ns, o.spec?.chaosServiceAccount)) {
      // the runner pod cannot be created without its service account: nothing ever runs
      o.status = { engineStatus: 'initialized', experiments: [] };
      this.touch(type, o, 'MODIFIED');
      return;
    }
    const experiments = (o.spec?.experiments ?? []) as KObject[];
    const statuses = experiments.map((e) => {
      const installed = this.get('chaosexperiments', ns, e.name);
      return {
        name: e.name,
        runner: `${o.metadata.name}-runner`,
        experimentPod: installed ? `${e.name}-${randomUUID().slice(0, 6)}` : '',
        status: installed ? 'Running' : 'ChaosExperiment Not Found',
        verdict: 'Awaited',
        lastUpdateTime: now(),
      };
    });
    o.status = { engineStatus: 'initialized', experiments: statuses };
    this.touch(type, o, 'MODIFIED');
    const targets = this.litmusTargets(o);
    const results = this.type('litmuschaos.io', 'chaosresults');
    for (const e of experiments) {
      if (!this.get('chaosexperiments', ns, e.name)) continue;
      const env = Object.fromEntries(((e.spec?.components?.env ?? []) as KObject[]).map((v) => [v.name, v.value]));
      const failure = this.injectionFailures.get('ChaosEngine');
      const result = this.put(results, {
        apiVersion: 'litmuschaos.io/v1alpha1',
        kind: 'ChaosResult',
        metadata: {
          name: `${o.metadata.name}-${e.name}`,
          namespace: ns,
          labels: { chaosUID: o.metadata.uid, chaosengine: o.metadata.name },
        },
        spec: { engine: o.metadata.name, experiment: e.name },
        status: {
          experimentStatus: { phase: 'Running', verdict: 'Awaited', probeSuccessPercentage: 'Awaited' },
          history: { passedRuns: 0, failedRuns: 0, stoppedRuns: 0, targets: [] },
        },
      });
      const uid = result.metadata.uid;
      const current = () => {
        const r = this.get('chaosresults', ns, result.metadata.name);
        return r && r.metadata.uid === uid && r.status.experimentStatus.phase === 'Running' ? r : undefined;
      };
      const second = this.options.litmusSecondMs ?? 1000;
      this.controllerLater('litmus', this.options.litmusAnnotateDelayMs ?? 80, () => {
        const r = current();
        if (!r) return;
        if (failure) {
          r.status.experimentStatus = {
            phase: 'Error',
            verdict: 'Error',
            probeSuccessPercentage: '0',
            errorOutput: { errorCode: 'CHAOS_INJECT_ERROR', reason: failure },
          };
          r.status.history.failedRuns = 0;
          this.touch(results, r, 'MODIFIED');
          return;
        }
        if (e.name === 'pod-delete') {
          this.litmusKilled.set(uid, targets);
          for (const t of targets) {
            const pod = this.get('pods', ns, t);
            if (pod) {
              this.podDeletions.push({ namespace: ns, name: t, gracePeriodSeconds: env.FORCE === 'true' ? 0 : undefined });
              this.remove(this.type('', 'pods'), pod);
            }
          }
          return;
        }
        r.metadata.annotations = { ...r.metadata.annotations, ...Object.fromEntries(targets.map((t) => [`pod/${t}`, 'injected'])) };
        this.touch(results, r, 'MODIFIED');
      });
      const total = Number(env.TOTAL_CHAOS_DURATION ?? 30) * second;
      this.controllerLater('litmus', total, () => {
        const r = current();
        if (!r) return;
        this.litmusEnd(r, 'Completed', 'Pass');
        const engine = this.get('chaosengines', ns, o.metadata.name);
        if (engine?.status && engine.metadata.uid === o.metadata.uid) {
          engine.status.engineStatus = 'completed';
          for (const x of engine.status.experiments ?? [])
            if (x.name === e.name) Object.assign(x, { status: 'Completed', verdict: 'Pass' });
          this.touch(type, engine, 'MODIFIED');
        }
      });
    }
  }

  /** EOT: annotations folded into history.targets and removed; the verdict and its counters. */
  private litmusEnd(r: KObject, phase: 'Completed' | 'Stopped', verdict: 'Pass' | 'Stopped'): void {
    const states = new Map<string, string>();
    for (const name of this.litmusKilled.get(r.metadata.uid) ?? []) states.set(name, 'targeted');
    const annotations: Record<string, string> = { ...r.metadata.annotations };
    for (const [key, value] of Object.entries(annotations)) {
      const pod = /^pod\/(.+)$/.exec(key)?.[1];
      if (!pod) continue;
      // a helper reverts before the experiment ends: its last word is `reverted`
      states.set(pod, value === 'injected' ? 'reverted' : value);
      delete annotations[key];
    }
    r.metadata.annotations = annotations;
    r.status.experimentStatus = { phase, verdict, probeSuccessPercentage: verdict === 'Pass' ? '100' : '0' };
    r.status.history.targets = [...states].map(([name, chaosStatus]) => ({ name, kind: 'pod', chaosStatus }));
    if (verdict === 'Pass') r.status.history.passedRuns += 1;
    else r.status.history.stoppedRuns += 1;
    this.touch(this.type('litmuschaos.io', 'chaosresults'), r, 'MODIFIED');
  }

  private litmusTargets(engine: KObject): string[] {
    const ns = engine.metadata.namespace;
    const pods = engine.spec?.selectors?.pods as KObject[] | undefined;
    if (pods) return pods.flatMap((p) => String(p.names).split(',').filter(Boolean));
    const env = Object.fromEntries(
      ((engine.spec?.experiments?.[0]?.spec?.components?.env ?? []) as KObject[]).map((v) => [v.name, v.value]),
    );
    if (env.TARGET_PODS) return String(env.TARGET_PODS).split(',');
    const label = engine.spec?.appinfo?.applabel ?? '';
    return this.list('pods', engine.spec?.appinfo?.appns || ns)
      .filter((p) => matchLabelSelector(label, p.metadata.labels ?? {}))
      .map((p) => p.metadata.name);
  }

  private litmusStop(type: ResourceType, namespace: string, name: string): void {
    const o = this.store.get(this.key(type, namespace, name));
    if (!o) return;
    if (o.status) {
      o.status.engineStatus = 'stopped';
      for (const e of o.status.experiments ?? []) {
        if (e.status === 'Running') {
          e.status = 'Forcefully Aborted';
          e.verdict = 'Stopped';
        }
      }
      this.touch(type, o, 'MODIFIED');
    }
    for (const result of this.list('chaosresults', namespace).filter((r) => r.spec?.engine === name)) {
      if (result.status.experimentStatus.phase === 'Running') this.litmusEnd(result, 'Stopped', 'Stopped');
    }
  }

  private afterPodRemoved(pod: KObject): void {
    const ns = pod.metadata.namespace;
    this.recomputeWorkloads(ns);
    const owner = pod.metadata.ownerReferences?.[0];
    if (!this.options.replaceDeletedPods || owner?.kind !== 'ReplicaSet') return;
    this.later(30, () => {
      const replacement = this.seedPod({
        namespace: ns,
        name: `${pod.metadata.name.replace(/-r[0-9a-f]{5}$/, '')}-r${randomUUID().slice(0, 5)}`,
        labels: pod.metadata.labels,
        ready: false,
        owner: { kind: owner.kind, name: owner.name, uid: owner.uid },
      });
      this.later(this.options.podStartMs ?? 300, () => {
        if (this.get('pods', ns, replacement.metadata.name)) this.setPodReady(ns, replacement.metadata.name, true);
      });
    });
  }

  /** Deployment and StatefulSet status from their pods (through ReplicaSets for Deployments). */
  private recomputeWorkloads(namespace: string): void {
    const pods = this.list('pods', namespace);
    const ready = (p: KObject) => p.status?.conditions?.some((c: KObject) => c.type === 'Ready' && c.status === 'True') ?? false;
    const ownedBy = (kind: string, uid: string) =>
      pods.filter((p) => p.metadata.ownerReferences?.some((r: KObject) => r.kind === kind && r.uid === uid));
    for (const d of this.list('deployments', namespace)) {
      const sets = this.list('replicasets', namespace).filter((rs) =>
        rs.metadata.ownerReferences?.some((r: KObject) => r.uid === d.metadata.uid),
      );
      const owned = sets.flatMap((rs) => ownedBy('ReplicaSet', rs.metadata.uid));
      const status = {
        replicas: owned.length,
        readyReplicas: owned.filter(ready).length,
        availableReplicas: owned.filter(ready).length,
        updatedReplicas: owned.length,
      };
      if (JSON.stringify(status) !== JSON.stringify(d.status)) {
        d.status = status;
        this.touch(this.type('apps', 'deployments'), d, 'MODIFIED');
      }
    }
    for (const s of this.list('statefulsets', namespace)) {
      const owned = ownedBy('StatefulSet', s.metadata.uid);
      const status = { replicas: owned.length, readyReplicas: owned.filter(ready).length, availableReplicas: owned.filter(ready).length };
      if (JSON.stringify(status) !== JSON.stringify(s.status)) {
        s.status = status;
        this.touch(this.type('apps', 'statefulsets'), s, 'MODIFIED');
      }
    }
  }
}

// ---------- helpers ----------

function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>): KObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function verbOf(method: string, name: string | undefined, watch: string | null): string {
  if (method === 'GET') return name ? 'get' : watch === 'true' || watch === '1' ? 'watch' : 'list';
  return { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ?? method.toLowerCase();
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(text);
      }
    });
  });
}

/** Kubernetes label selector syntax: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`. */
export function matchLabelSelector(selector: string, labels: Record<string, string>): boolean {
  if (!selector.trim()) return true;
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const term = raw.trim();
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim());
      const has = m[1]! in labels && values.includes(labels[m[1]!]!);
      return m[2] === 'in' ? has : !has;
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) return m[2] === '!=' ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
    if (term.startsWith('!')) return !(term.slice(1) in labels);
    return term in labels;
  });
}

function fieldValue(o: KObject, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as KObject)[k] : undefined), o);
}

export function matchFieldSelector(selector: string, o: KObject): boolean {
  if (!selector.trim()) return true;
  return selector.split(',').every((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) return false;
    const value = String(fieldValue(o, m[1]!) ?? '');
    return m[2] === '!=' ? value !== m[3] : value === m[3];
  });
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: KObject = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as KObject) } : {};
  for (const [k, v] of Object.entries(patch as KObject)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

function applyJsonPatch(o: KObject, ops: JsonPatchOp[]): KObject {
  for (const op of ops) {
    const keys = op.path
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop() as string;
    let parent: KObject = o;
    for (const k of keys) parent = parent[k] ??= {};
    if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op.op === 'add' || op.op === 'replace') {
      if (Array.isArray(parent) && last === '-') parent.push(op.value);
      else parent[last] = op.value;
    }
  }
  return o;
}

// ---------- CRD schemas ----------

/** The reference folder beside the repository (../shared/reference), as in CI; FAULTLINE_REFERENCE_DIR for a checkout elsewhere (a git worktree). */
export const REFERENCE_DIR =
  process.env.FAULTLINE_REFERENCE_DIR ?? join(fileURLToPath(new URL('../../', import.meta.url)), '..', 'shared', 'reference');

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema nodes
type SchemaNode = Record<string, any>;

/**
 * The documents of a Kubernetes YAML file (a CRD, a manifest, an object to check against its CRD) as
 * kubectl reads them: merge keys (`<<: *defaults`) applied, as sigs.k8s.io/yaml does, while every other
 * value keeps the type of the YAML 1.2 core schema (switching to YAML 1.1 for its merge keys would also
 * turn a date such as 2026-03-01 into a Date object and change the text the API server would see).
 */
export function kubernetesYaml(text: string): unknown[] {
  // not doc.errors: the yaml package flags indentation that Go's YAML reads (the Litmus CRD's multi-line
  // quoted descriptions) and still reads the value, as kubectl does
  return parseAllDocuments(text, { merge: true }).map((doc) => doc.toJS());
}

/**
 * An openAPIV3Schema made checkable by ajv (draft-07), and strict the way `kubectl apply` is: a typed
 * object without x-kubernetes-preserve-unknown-fields rejects unknown fields (the API server would prune
 * them silently). OpenAPI 3.0's boolean exclusiveMinimum/Maximum become the numeric form.
 */
export function strictCrdSchema(node: SchemaNode): SchemaNode {
  if (Array.isArray(node)) return node.map(strictCrdSchema) as unknown as SchemaNode;
  if (node === null || typeof node !== 'object') return node;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value as SchemaNode).map(([k, v]) => [k, strictCrdSchema(v as SchemaNode)]));
    } else if (key === 'description' || key === 'allowEmptyValue') {
      // documentation and upstream noise (not a JSONSchemaProps field; the API server drops it)
    } else out[key] = strictCrdSchema(value as SchemaNode);
  }
  if (out.exclusiveMinimum === true) {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  } else if (out.exclusiveMinimum === false) delete out.exclusiveMinimum;
  if (out.exclusiveMaximum === true) {
    out.exclusiveMaximum = out.maximum;
    delete out.maximum;
  } else if (out.exclusiveMaximum === false) delete out.exclusiveMaximum;
  if (out['x-kubernetes-int-or-string'] && out.type === undefined) out.anyOf ??= [{ type: 'integer' }, { type: 'string' }];
  if (out.type === 'object' && out.properties && !out['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

let crdValidators: Map<string, ValidateFunction> | undefined;
const crdSchemas = new Map<string, SchemaNode>();

function loadCrds(): void {
  if (crdSchemas.size) return;
  const files = [
    ...readdirSync(join(REFERENCE_DIR, 'chaos-mesh'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(REFERENCE_DIR, 'chaos-mesh', f)),
    join(REFERENCE_DIR, 'litmus', 'chaos_crds.yaml'),
    join(REFERENCE_DIR, 'litmus', 'chaosschedule_crd.yaml'),
  ];
  for (const file of files) {
    for (const crd of kubernetesYaml(readFileSync(file, 'utf8')) as (SchemaNode | null)[]) {
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const version = (crd.spec.versions as SchemaNode[]).find((v) => v.served) ?? crd.spec.versions[0];
      crdSchemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
    }
  }
}

/** The kinds whose CRD is in the reference folder, as `group/version/Kind`. */
export function referenceKinds(): string[] {
  loadCrds();
  return [...crdSchemas.keys()];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Errors of an object against its CRD in the reference folder (empty: valid), plus the metadata rules
 * every API server applies (name, namespace, label values).
 */
export function validateAgainstCrd(object: SchemaNode): string[] {
  loadCrds();
  const key = `${object.apiVersion}/${object.kind}`;
  const schema = crdSchemas.get(key);
  if (!schema) return [`no CRD for ${key} in ${REFERENCE_DIR}`];
  crdValidators ??= new Map();
  let validate = crdValidators.get(key);
  if (!validate) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    for (const format of ['int32', 'int64']) ajv.addFormat(format, { type: 'number', validate: (n: number) => Number.isInteger(n) });
    ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
    validate = ajv.compile(strictCrdSchema(schema));
    crdValidators.set(key, validate);
  }
  const errors: string[] = [];
  if (!validate(object)) {
    for (const e of validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
      errors.push(`${e.instancePath || '/'}: ${e.message}${extra}`);
    }
  }
  const meta = object.metadata ?? {};
  if (typeof meta.name !== 'string' || meta.name.length > 253 || !DNS_SUBDOMAIN.test(meta.name))
    errors.push(`metadata.name: invalid ${JSON.stringify(meta.name)}`);
  if (meta.namespace !== undefined && (meta.namespace.length > 63 || !DNS_LABEL.test(meta.namespace)))
    errors.push(`metadata.namespace: invalid ${JSON.stringify(meta.namespace)}`);
  for (const [k, v] of Object.entries((meta.labels ?? {}) as Record<string, string>)) {
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      errors.push(`metadata.labels.${k}: invalid value ${JSON.stringify(v)}`);
  }
  return errors;
}
