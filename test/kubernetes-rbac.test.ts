/**
 * deploy/kubernetes grants exactly what the code uses. The verbs are not listed by hand: runs of every
 * engine (Chaos Mesh with a k8s probe and DNSChaos, Litmus with a helper experiment and pod-delete, native
 * pod deletion) go against the fake API server, and every request they make (and every
 * SelfSubjectAccessReview they ask) is turned into a (group, resource, verb). The Roles must grant all of
 * them, and nothing else.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { runExperiment } from '../src/engine/run.js';
import { parseExperiments } from '../src/spec/load.js';
import { ROOT, tempDir, tempHome } from './support/cli.js';
import { FakeKubeApiServer, type KObject, type RequestRecord } from './support/fake-kube-apiserver.js';

const DEPLOY = join(ROOT, 'deploy', 'kubernetes');
const saved = { KUBECONFIG: process.env.KUBECONFIG, FAULTLINE_HOME: process.env.FAULTLINE_HOME };

/** `namespace group/resource verb` of a request, or null for discovery and SSARs. */
function permissionOf(r: RequestRecord): string | null {
  const parts = r.path.split('/').filter(Boolean);
  const [group, rest] = parts[0] === 'api' ? ['', parts.slice(2)] : [parts[1] ?? '', parts.slice(3)];
  if (rest[0] !== 'namespaces' || rest.length < 3) return null;
  const [, namespace, resource, name, sub] = rest;
  const watch = new URLSearchParams(r.query).get('watch') === 'true';
  const verb =
    r.method === 'GET'
      ? name
        ? 'get'
        : watch
          ? 'watch'
          : 'list'
      : ({ POST: 'create', PATCH: 'patch', DELETE: 'delete', PUT: 'update' } as Record<string, string>)[r.method];
  return `${namespace} ${group}/${resource}${sub ? `/${sub}` : ''} ${verb}`;
}

function asked(r: RequestRecord): string | null {
  if (!r.path.endsWith('/selfsubjectaccessreviews')) return null;
  const a = (r.body as KObject).spec.resourceAttributes;
  return `${a.namespace} ${a.group}/${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.verb}`;
}

/** Every `namespace group/resource verb` the Roles of deploy/kubernetes grant. */
function granted(): Set<string> {
  const out = new Set<string>();
  for (const file of ['rbac.yaml', 'rbac-native.yaml', 'rbac-chaos-mesh.yaml', 'rbac-litmus.yaml']) {
    for (const doc of parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8')).map((d) => d.toJS() as KObject)) {
      if (doc.kind !== 'Role') continue;
      for (const rule of doc.rules)
        for (const group of rule.apiGroups)
          for (const resource of rule.resources)
            for (const verb of rule.verbs) out.add(`${doc.metadata.namespace} ${group}/${resource} ${verb}`);
    }
  }
  return out;
}

const used = new Set<string>();
let fake: FakeKubeApiServer;

async function run(kubernetes: string, method: string, extra = ''): Promise<void> {
  const dir = tempDir('faultline-rbac-');
  process.env.KUBECONFIG = fake.writeKubeconfig(dir, { namespace: 'shop' });
  const file = join(dir, 'e.yaml');
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: rbac }\nspec:\n  hypothesis: h\n  backend: kubernetes\n  kubernetes: ${kubernetes}\n${extra}  method:\n${method}\n`,
  );
  const [e] = parseExperiments(readFileSync(file, 'utf8'), file, {});
  if (!e) throw new Error('no experiment');
  const { report } = await runExperiment(e, { seed: 1 });
  expect(report.verdict, report.reason).toBe('passed');
}

const PROBE = `  probes:
    - name: web-ready
      type: k8s
      k8s: { kind: Pod, namespace: shop, labelSelector: app=web, count: ready }
      expect: { count: { gte: 1 } }
      interval: 100ms
    - name: web-available
      type: k8s
      k8s: { apiVersion: apps/v1, kind: Deployment, namespace: shop, name: web, field: status.availableReplicas }
      expect: { value: { gte: 1 } }
      mode: SOT
  steadyState: { probes: [web-ready], tolerance: { availability: { gte: 0 } } }
`;
const CPU = `    - fault: stress.cpu
      selector: { labels: { app: web } }
      duration: 300ms`;
const KILL = `    - fault: process.kill
      selector: { labels: { app: web } }`;

beforeAll(async () => {
  process.env.FAULTLINE_HOME = tempHome();
  fake = await FakeKubeApiServer.start({ replaceDeletedPods: true, podStartMs: 50 });
  fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 3, labels: { app: 'web' } });
  for (const name of ['pod-cpu-hog', 'pod-delete']) {
    fake.seedLitmusExperiment('shop', name);
  }
  fake.seedNamespace('chaos-mesh');
  fake.seedObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'chaos-mesh-dns-server', namespace: 'chaos-mesh' } });
  await run(
    '{ engine: chaos-mesh }',
    `${CPU}\n${KILL}\n    - fault: dns.error\n      selector: { labels: { app: web } }\n      duration: 200ms`,
    PROBE,
  );
  await run('{ engine: litmus }', `${CPU}\n${KILL}`);
  // a pod of a StatefulSet: minHealthy reads its owner
  const db = fake.seedObject({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'shop' },
    spec: { replicas: 1 },
    status: { readyReplicas: 1 },
  });
  fake.seedPod({
    namespace: 'shop',
    name: 'db-0',
    labels: { app: 'db' },
    owner: { kind: 'StatefulSet', name: 'db', uid: db.metadata.uid },
  });
  // a pod of a DaemonSet, counted by numberReady
  const agent = fake.seedObject({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'shop' },
    status: { numberReady: 1, desiredNumberScheduled: 1 },
  });
  fake.seedPod({
    namespace: 'shop',
    name: 'agent-0',
    labels: { app: 'agent' },
    owner: { kind: 'DaemonSet', name: 'agent', uid: agent.metadata.uid },
  });
  await run(
    '{ engine: native }',
    `${KILL}\n    - fault: process.kill\n      selector: { labels: { app: db } }\n    - fault: process.kill\n      selector: { labels: { app: agent } }\n    - fault: process.kill\n      selector: { labels: { app: web } }\n      kubernetes: { method: evict }`,
  );
  for (const r of fake.requests) {
    const p = permissionOf(r) ?? asked(r);
    if (p) used.add(p);
  }
}, 120_000);

afterAll(async () => {
  await fake?.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('deploy/kubernetes RBAC, derived from the requests runs make', () => {
  it('grants every verb the runs used or asked about', () => {
    const missing = [...used].filter((p) => !granted().has(p)).sort();
    expect(missing).toEqual([]);
  });

  it("faultline's own namespace gets the same Role as a namespace faults hit (runs without spec.kubernetes.namespace create there)", () => {
    const of = (ns: string) =>
      [...granted()]
        .filter((p) => p.startsWith(`${ns} `))
        .map((p) => p.slice(ns.length + 1))
        .sort();
    expect(of('faultline')).toEqual(of('shop').filter((p) => !['/pods delete', '/pods/eviction create'].includes(p)));
  });

  it('grants nothing the runs did not use (for the chaos kinds: every kind a run may create)', () => {
    const chaosKinds = /^shop chaos-mesh\.org\/(networkchaos|podchaos|stresschaos|timechaos|iochaos|httpchaos|dnschaos) /;
    const usedVerbs = new Set([...used].filter((p) => chaosKinds.test(p)).map((p) => p.split(' ')[2]));
    const surplus = [...granted()]
      .filter((p) => !p.startsWith('faultline '))
      .filter((p) => !used.has(p))
      // the same verbs on the chaos kinds these runs did not create
      .filter((p) => !(chaosKinds.test(p) && usedVerbs.has(p.split(' ')[2])))
      .sort();
    expect(surplus).toEqual([]);
  });
});
