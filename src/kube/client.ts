/**
 * The Kubernetes API as faultline uses it: kubeconfig found as kubectl finds it (KUBECONFIG, then
 * ~/.kube/config, then the in-cluster service account), objects read, listed, created, patched and
 * deleted through @kubernetes/client-node, watches that survive a dropped stream, access reviews, and
 * every API error turned into a sentence that names the verb, the resource, the namespace and the fix.
 *
 * @kubernetes/client-node costs ~300ms to import: it is loaded here, on first use, never at startup.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import type { ClusterRef, ObjectRef } from './types.js';

type K8s = typeof import('@kubernetes/client-node');
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are free-form JSON
export type KObject = Record<string, any>;

let k8sModule: Promise<K8s> | undefined;
/** The client library, imported on first use. */
export function loadK8s(): Promise<K8s> {
  k8sModule ??= import('@kubernetes/client-node');
  return k8sModule;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const REQUEST_TIMEOUT_MS = 30_000;

/** An error answered by the API server (or the network), with its HTTP status (0: no answer). */
export class KubeApiError extends UserError {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export interface Action {
  verb: 'get' | 'list' | 'watch' | 'create' | 'patch' | 'delete' | 'update';
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

function describeResource(a: Action): string {
  return `${a.resource}${a.group ? `.${a.group}` : ''}`;
}

/** Turns whatever the client threw into a KubeApiError whose message says what failed and what to do. */
export function apiError(error: unknown, action: Action, server: string): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const e = error as { code?: unknown; body?: unknown; message?: string; cause?: { code?: string } };
  const where = action.namespace ? ` in namespace ${action.namespace}` : '';
  const target = `${describeResource(action)}${action.name ? ` ${action.name}` : ''}`;
  if (typeof e.code === 'number') {
    const body = (typeof e.body === 'string' ? safeJson(e.body) : e.body) as KObject | undefined;
    const message: string = body?.message ?? e.message ?? 'no message';
    const reason: string = body?.reason ?? '';
    const status = e.code;
    if (status === 401) {
      return new KubeApiError(
        `the API server at ${server} rejected faultline's credentials (401 Unauthorized) to ${action.verb} ${target}; check the kubeconfig user (token, certificate, exec plugin)`,
        status,
        reason,
      );
    }
    if (status === 403 && /admission webhook/.test(message)) {
      return new KubeApiError(`${action.verb} ${target}${where} was denied by an admission webhook: ${message}`, status, 'AdmissionDenied');
    }
    if (status === 403) {
      return new KubeApiError(
        `RBAC forbids faultline to ${action.verb} ${describeResource(action)}${where} (403 Forbidden: ${message}); grant the verb "${action.verb}" on "${action.resource}" to faultline's user or service account (see deploy/kubernetes/rbac.yaml)`,
        status,
        reason,
      );
    }
    if (status === 404) return new KubeApiError(`${target}${where} not found (404): ${message}`, status, reason || 'NotFound');
    if (status === 409) return new KubeApiError(`${action.verb} ${target}${where}: conflict (409 ${reason}): ${message}`, status, reason);
    if (status === 422 || status === 400) {
      return new KubeApiError(
        `${action.verb} ${target}${where}: the API server refused the object (${status} ${reason}): ${message}`,
        status,
        reason,
      );
    }
    return new KubeApiError(`${action.verb} ${target}${where} failed (${status} ${reason}): ${message}`, status, reason);
  }
  const code = e.cause?.code ?? (typeof e.code === 'string' ? e.code : undefined) ?? /reason: (.*)$/.exec(e.message ?? '')?.[1];
  return new KubeApiError(
    `cannot reach the Kubernetes API server at ${server} to ${action.verb} ${target}${where}: ${code ?? e.message ?? String(error)}; check that the cluster is up and that the kubeconfig context points at it`,
    0,
    'Unreachable',
  );
}

function subresourceOf(resource: string): { resource: string; subresource?: string } {
  const [main, sub] = resource.split('/') as [string, string | undefined];
  return sub ? { resource: main, subresource: sub } : { resource: main };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms / 1000}s (${what})`), { cause: { code: 'ETIMEDOUT' } })),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface ConnectOptions {
  /** the kubeconfig context; default the current one */
  context?: string;
}

const clients = new Map<string, Promise<KubeClient>>();

/** A client for the cluster the kubeconfig (or the in-cluster service account) points at; one per context. */
export function connect(options: ConnectOptions = {}): Promise<KubeClient> {
  const key = `${process.env.KUBECONFIG ?? ''}|${options.context ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = KubeClient.create(process.env.KUBECONFIG || null, options.context ?? null, false);
    clients.set(key, client);
    client.catch(() => clients.delete(key));
  }
  return client;
}

/** A client for the cluster a journal entry names: the same kubeconfig and context, refused if it now points elsewhere. */
export async function reconnect(ref: ClusterRef): Promise<KubeClient> {
  const key = `ref|${ref.kubeconfig ?? ''}|${ref.context ?? ''}|${ref.inCluster}`;
  let client = clients.get(key);
  if (!client) {
    client = KubeClient.create(ref.kubeconfig, ref.context, ref.inCluster);
    clients.set(key, client);
    client.catch(() => clients.delete(key));
  }
  const c = await client;
  if (c.cluster.server !== ref.server) {
    throw new UserError(
      `the kubeconfig context ${ref.context ?? '(in-cluster)'} now points at ${c.cluster.server}, not at ${ref.server} where the object was created; restore the kubeconfig, then run faultline recover again`,
    );
  }
  return c;
}

export class KubeClient {
  private constructor(
    private readonly k8s: K8s,
    private readonly kc: InstanceType<K8s['KubeConfig']>,
    readonly cluster: ClusterRef,
    /** the context's namespace (in-cluster: the service account's), else default */
    readonly defaultNamespace: string,
  ) {
    this.objects = this.k8s.KubernetesObjectApi.makeApiClient(kc);
  }

  private readonly objects: InstanceType<K8s['KubernetesObjectApi']>;
  private readonly discovered = new Map<string, Promise<Map<string, string> | null>>();
  private readonly reviews = new Map<string, Promise<boolean>>();

  static async create(kubeconfig: string | null, context: string | null, inCluster: boolean): Promise<KubeClient> {
    const k8s = await loadK8s();
    const kc = new k8s.KubeConfig();
    // absolute paths: `faultline recover` may run from another directory, or with another HOME
    const files = (kubeconfig ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((f) => resolve(f));
    const home = join(homedir(), '.kube', 'config');
    if (!files.length && !inCluster && existsSync(home)) files.push(home);
    if (files.length) {
      for (const file of files) {
        if (!existsSync(file)) throw new UserError(`KUBECONFIG names ${file}, which does not exist; fix KUBECONFIG or create the file`);
      }
      loadFiles(k8s, kc, files);
    } else if (process.env.KUBERNETES_SERVICE_HOST && existsSync(join(SERVICE_ACCOUNT, 'token'))) {
      kc.loadFromCluster();
      inCluster = true;
    } else {
      throw new UserError(
        inCluster
          ? 'this journal entry was written inside a cluster, but no in-cluster service account is available here; run faultline recover in the cluster (the Job in deploy/kubernetes/) or with a kubeconfig for it'
          : 'no kubeconfig found: set KUBECONFIG, create ~/.kube/config (kubectl config set-cluster / set-context), or run faultline inside a cluster with a service account',
      );
    }
    if (context && !inCluster) {
      if (!kc.getContextObject(context)) {
        throw new UserError(
          `kubeconfig context "${context}" does not exist; known contexts: ${
            kc
              .getContexts()
              .map((c) => c.name)
              .join(', ') || 'none'
          }`,
        );
      }
      kc.setCurrentContext(context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new UserError(
        'the kubeconfig has no current context; choose one with kubectl config use-context NAME or set spec.kubernetes.context',
      );
    }
    const contextObject = inCluster ? null : kc.getContextObject(kc.getCurrentContext());
    const namespace = inCluster ? readNamespaceFile() : (contextObject?.namespace ?? 'default');
    return new KubeClient(
      k8s,
      kc,
      {
        kubeconfig: files.length ? files.join(delimiter) : null,
        context: inCluster ? null : kc.getCurrentContext(),
        server: cluster.server,
        inCluster,
      },
      namespace,
    );
  }

  private async call<T>(action: Action, fn: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(fn(), REQUEST_TIMEOUT_MS, `${action.verb} ${describeResource(action)}`);
    } catch (error) {
      throw apiError(error, action, this.cluster.server);
    }
  }

  // ---------- discovery and access ----------

  /** The resources (plural → kind) a group/version serves, or null when the cluster does not serve it. */
  served(group: string, version: string): Promise<Map<string, string> | null> {
    const key = `${group}/${version}`;
    let found = this.discovered.get(key);
    if (!found) {
      found = (async () => {
        try {
          const list = await this.call({ verb: 'get', group, resource: 'apiresources' }, () =>
            group === ''
              ? this.kc.makeApiClient(this.k8s.CoreV1Api).getAPIResources()
              : this.kc.makeApiClient(this.k8s.CustomObjectsApi).getAPIResources({ group, version }),
          );
          return new Map(list.resources.map((r) => [r.name, r.kind]));
        } catch (error) {
          if (error instanceof KubeApiError && error.status === 404) return null;
          throw error;
        }
      })();
      this.discovered.set(key, found);
      found.catch(() => this.discovered.delete(key));
    }
    return found;
  }

  /** Whether the current user may do `verb` on `resource` in `namespace` (a SelfSubjectAccessReview). */
  can(verb: string, group: string, resource: string, namespace: string): Promise<boolean> {
    const key = `${verb}|${group}|${resource}|${namespace}`;
    let answer = this.reviews.get(key);
    if (!answer) {
      answer = (async () => {
        const api = this.kc.makeApiClient(this.k8s.AuthorizationV1Api);
        const review = await this.call({ verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }, () =>
          api.createSelfSubjectAccessReview({
            body: {
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'SelfSubjectAccessReview',
              // `pods/eviction`: a subresource is asked as such
              spec: { resourceAttributes: { namespace, verb, group, ...subresourceOf(resource) } },
            },
          }),
        );
        return review.status?.allowed === true;
      })();
      this.reviews.set(key, answer);
      answer.catch(() => this.reviews.delete(key));
    }
    return answer;
  }

  /** Throws, naming every verb missing, unless the user may do all of them on `resource` in `namespace`. */
  async requireAccess(verbs: string[], group: string, resource: string, namespace: string): Promise<void> {
    const missing: string[] = [];
    for (const verb of verbs) if (!(await this.can(verb, group, resource, namespace))) missing.push(verb);
    if (missing.length) {
      throw new UserError(
        `RBAC forbids faultline to ${missing.join(', ')} ${resource}${group ? `.${group}` : ''} in namespace ${namespace} (checked with a SelfSubjectAccessReview before creating anything); grant ${missing.map((v) => `"${v}"`).join(', ')} on "${resource}" to faultline's user or service account (see deploy/kubernetes/rbac.yaml)`,
      );
    }
  }

  /** A resource named by apiVersion and kind or plural, as the API server serves it; a UserError when it does not. */
  async resource(apiVersion: string, name: string): Promise<Pick<ObjectRef, 'group' | 'version' | 'kind' | 'plural'>> {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
    const served = await this.served(group, version);
    if (!served)
      throw new UserError(`the cluster at ${this.cluster.server} does not serve ${apiVersion}; check apiVersion (kubectl api-versions)`);
    for (const [plural, kind] of served) {
      if (plural === name || kind === name || kind.toLowerCase() === name.toLowerCase()) return { group, version, kind, plural };
    }
    throw new UserError(
      `${apiVersion} has no resource "${name}" in the cluster at ${this.cluster.server}; known: ${[...served.values()].slice(0, 20).join(', ')}`,
    );
  }

  // ---------- objects ----------

  /** The object, or null when it does not exist. */
  async read(ref: ObjectRef): Promise<KObject | null> {
    try {
      return (await this.call({ verb: 'get', group: ref.group, resource: ref.plural, namespace: ref.namespace, name: ref.name }, () =>
        this.objects.read({ apiVersion: apiVersionOf(ref), kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }),
      )) as KObject;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return null;
      throw error;
    }
  }

  async list(
    ref: Pick<ObjectRef, 'group' | 'version' | 'kind' | 'plural'>,
    namespace: string | undefined,
    selectors: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KObject[]> {
    const list = await this.call({ verb: 'list', group: ref.group, resource: ref.plural, namespace }, () =>
      this.objects.list(
        apiVersionOf(ref),
        ref.kind,
        namespace,
        undefined,
        undefined,
        undefined,
        selectors.fieldSelector || undefined,
        selectors.labelSelector || undefined,
      ),
    );
    return (list.items ?? []) as KObject[];
  }

  async create(ref: ObjectRef, body: KObject): Promise<KObject> {
    return (await this.call({ verb: 'create', group: ref.group, resource: ref.plural, namespace: ref.namespace, name: ref.name }, () =>
      this.objects.create(body as never),
    )) as KObject;
  }

  /** A JSON merge patch; null when the object is gone. */
  async mergePatch(ref: ObjectRef, patch: KObject): Promise<KObject | null> {
    try {
      return (await this.call({ verb: 'patch', group: ref.group, resource: ref.plural, namespace: ref.namespace, name: ref.name }, () =>
        this.objects.patch(
          {
            apiVersion: apiVersionOf(ref),
            kind: ref.kind,
            ...patch,
            metadata: { ...(patch.metadata ?? {}), name: ref.name, namespace: ref.namespace },
          } as never,
          undefined,
          undefined,
          'faultline',
          undefined,
          this.k8s.PatchStrategy.MergePatch,
        ),
      )) as KObject;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** Asks for deletion; false when the object was already gone. Never touches finalizers. */
  /**
   * Evicts a pod through the Eviction API (policy/v1), which honours PodDisruptionBudgets: false when the
   * pod is gone; a KubeApiError with status 429 when a budget does not allow it now.
   */
  async evict(namespace: string, name: string, options: { gracePeriodSeconds?: number; uid?: string } = {}): Promise<boolean> {
    try {
      await this.call({ verb: 'create', group: '', resource: 'pods/eviction', namespace, name }, () =>
        this.kc.makeApiClient(this.k8s.CoreV1Api).createNamespacedPodEviction({
          name,
          namespace,
          body: {
            apiVersion: 'policy/v1',
            kind: 'Eviction',
            metadata: { name, namespace },
            deleteOptions: {
              ...(options.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds }),
              ...(options.uid ? { preconditions: { uid: options.uid } } : {}),
            },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  async delete(ref: ObjectRef, options: { gracePeriodSeconds?: number; uid?: string } = {}): Promise<boolean> {
    try {
      await this.call({ verb: 'delete', group: ref.group, resource: ref.plural, namespace: ref.namespace, name: ref.name }, () =>
        this.objects.delete(
          { apiVersion: apiVersionOf(ref), kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } },
          undefined,
          undefined,
          options.gracePeriodSeconds,
          undefined,
          'Background',
          options.uid ? { preconditions: { uid: options.uid } } : undefined,
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  // ---------- following an object ----------

  /**
   * Waits until `check` returns a value for the object (null once it is gone): reads it, then watches
   * it; a watch that ends or drops is followed by a fresh read and a new watch, so nothing is missed.
   * Throws a WaitTimeout with the last state seen.
   */
  async follow<T>(ref: ObjectRef, check: (o: KObject | null) => T | undefined, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: KObject | null = null;
    for (;;) {
      last = await this.read(ref);
      const done = check(last);
      if (done !== undefined) return done;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal?.aborted) throw new WaitTimeout(last);
      const started = Date.now();
      const result = await this.watchOnce(ref, last?.metadata?.resourceVersion, check, Math.min(remaining, 15_000), signal);
      if (result.done) return result.value as T;
      // a stream that ended at once (no watch permission, a proxy that refuses streams): poll gently
      if (Date.now() - started < 250) await sleep(250, signal);
    }
  }

  private async watchOnce<T>(
    ref: ObjectRef,
    resourceVersion: string | undefined,
    check: (o: KObject | null) => T | undefined,
    sliceMs: number,
    signal?: AbortSignal,
  ): Promise<{ done: boolean; value?: T }> {
    const watch = new this.k8s.Watch(this.kc);
    const path = `${ref.group ? `/apis/${ref.group}` : '/api'}/${ref.version}/namespaces/${ref.namespace}/${ref.plural}`;
    return new Promise((resolve) => {
      let controller: AbortController | undefined;
      let finished = false;
      const finish = (result: { done: boolean; value?: T }) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        controller?.abort();
        resolve(result);
      };
      const onAbort = () => finish({ done: false });
      const timer = setTimeout(() => finish({ done: false }), sliceMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      watch
        .watch(
          path,
          {
            fieldSelector: `metadata.name=${ref.name}`,
            ...(resourceVersion ? { resourceVersion } : {}),
            timeoutSeconds: Math.max(1, Math.ceil(sliceMs / 1000)),
          },
          (type: string, object: KObject) => {
            if (type === 'ERROR') return finish({ done: false }); // e.g. 410 Gone: read afresh
            const value = check(type === 'DELETED' ? null : object);
            if (value !== undefined) finish({ done: true, value });
          },
          () => finish({ done: false }),
        )
        .then((c) => {
          controller = c;
          if (finished) c.abort();
        })
        .catch(() => finish({ done: false }));
    });
  }
}

/** A wait that ran out of time; `last` is the object as last seen (null: gone). */
export class WaitTimeout extends Error {
  constructor(readonly last: KObject | null) {
    super('timed out');
    this.name = 'WaitTimeout';
  }
}

export function apiVersionOf(ref: Pick<ObjectRef, 'group' | 'version'>): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

function loadFiles(k8s: K8s, kc: InstanceType<K8s['KubeConfig']>, files: string[]): void {
  const [first, ...rest] = files;
  try {
    kc.loadFromFile(first as string);
    for (const file of rest) {
      const more = new k8s.KubeConfig();
      more.loadFromFile(file);
      kc.mergeConfig(more);
    }
  } catch (error) {
    throw new UserError(`cannot read the kubeconfig: ${(error as Error).message}; check the file (kubectl config view)`);
  }
}

function readNamespaceFile(): string {
  try {
    return readFileSync(join(SERVICE_ACCOUNT, 'namespace'), 'utf8').trim() || 'default';
  } catch {
    return 'default';
  }
}
