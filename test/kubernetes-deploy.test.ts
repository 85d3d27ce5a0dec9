/**
 * deploy/kubernetes validated offline (no cluster here): every manifest is well formed, the Role grants
 * exactly what a run needs (every resource faultline creates, with the verbs it uses, and nothing more),
 * the Job and CronJob run the ConfigMap's experiments with a persistent journal, and those experiments
 * are valid and stay inside the namespaces RBAC and the policy allow. The examples in examples/kubernetes
 * validate, and what they export validates against the CRDs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { supportTable } from '../src/backends/kubernetes/catalogue.js';
import { exportExperiment, exportSchedule } from '../src/spec/convert/export.js';
import { importDocuments, renderImport } from '../src/spec/convert/import.js';
import { parseDocuments } from '../src/spec/load.js';
import { ROOT, tempDir } from './support/cli.js';
import { kubernetesYaml, validateAgainstCrd } from './support/fake-kube-apiserver.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests
type Doc = Record<string, any>;

const DEPLOY = join(ROOT, 'deploy', 'kubernetes');
const EXAMPLES = join(ROOT, 'examples', 'kubernetes');
const manifests: { file: string; doc: Doc }[] = readdirSync(DEPLOY)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) => kubernetesYaml(readFileSync(join(DEPLOY, file), 'utf8')).map((doc) => ({ file, doc: doc as Doc })));
const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);

const DNS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const READ = ['get', 'list', 'watch'];
const WRITE = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

/** The resources and verbs a run may need, and the most the Roles may grant. */
const ALLOWED: Record<string, Record<string, string[]>> = {
  'chaos-mesh.org': Object.fromEntries(
    ['networkchaos', 'podchaos', 'stresschaos', 'timechaos', 'iochaos', 'httpchaos', 'dnschaos'].map((r) => [r, WRITE]),
  ),
  'litmuschaos.io': { chaosengines: WRITE, chaosexperiments: READ, chaosresults: READ },
  '': { pods: [...READ, 'delete'], 'pods/eviction': ['create'], serviceaccounts: ['get'], services: ['get'] },
  apps: { deployments: READ, replicasets: READ, statefulsets: READ, daemonsets: READ },
};

describe('deploy/kubernetes', () => {
  it('every manifest is well formed', () => {
    expect(manifests.map((m) => m.doc.kind).sort()).toEqual(
      [
        'ConfigMap',
        'CronJob',
        'Job',
        'Namespace',
        'PersistentVolumeClaim',
        'Role',
        'Role',
        'Role',
        'Role',
        'Role',
        'RoleBinding',
        'RoleBinding',
        'RoleBinding',
        'RoleBinding',
        'RoleBinding',
        'ServiceAccount',
      ].sort(),
    );
    for (const { file, doc } of manifests) {
      expect(doc.apiVersion, file).toMatch(/^(v1|rbac\.authorization\.k8s\.io\/v1|batch\/v1)$/);
      expect(doc.metadata.name, file).toMatch(DNS);
      if (doc.kind !== 'Namespace') expect(doc.metadata.namespace, file).toMatch(DNS);
    }
  });

  it('the Roles grant only what faultline needs, never cluster-wide, never a wildcard or a secret', () => {
    expect(ofKind('ClusterRole')).toEqual([]);
    expect(ofKind('ClusterRoleBinding')).toEqual([]);
    for (const role of ofKind('Role')) {
      for (const rule of role.rules as Doc[]) {
        for (const group of rule.apiGroups as string[]) {
          for (const resource of rule.resources as string[]) {
            const allowed = ALLOWED[group]?.[resource];
            expect(allowed, `${role.metadata.name}: ${group}/${resource}`).toBeDefined();
            for (const verb of rule.verbs as string[])
              expect(allowed, `${role.metadata.name}: ${verb} ${group}/${resource}`).toContain(verb);
          }
        }
      }
    }
    const native = ofKind('Role').find((r) => r.metadata.name === 'faultline-native');
    expect(native?.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
    ]);
    const main = ofKind('Role').find((r) => r.metadata.name === 'faultline');
    // in the engines' own namespaces: their controllers looked at, and Chaos Mesh's DNS server, nothing more
    expect(ofKind('Role').find((r) => r.metadata.name === 'faultline-engine-check')?.rules).toEqual([
      { apiGroups: [''], resources: ['services'], resourceNames: ['chaos-mesh-dns-server'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    ]);
    expect(ofKind('Role').find((r) => r.metadata.name === 'faultline-operator-check')?.rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    ]);
    expect(JSON.stringify(main)).not.toMatch(/"delete"\]\s*}\s*,?\s*{?[^}]*"pods"/); // pod deletion only in rbac-native.yaml
  });

  it('the Role covers every object a run creates, with the verbs it uses', () => {
    const main = ofKind('Role').find((r) => r.metadata.name === 'faultline') as Doc;
    const grants = (group: string, resource: string) =>
      (main.rules as Doc[])
        .filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource))
        .flatMap((r) => r.verbs as string[]);
    const kinds = new Set(
      Object.values(supportTable())
        .map((s) => s['chaos-mesh']?.split(' ')[0])
        .filter((k): k is string => k !== undefined),
    );
    expect([...kinds].sort()).toEqual(['DNSChaos', 'HTTPChaos', 'IOChaos', 'NetworkChaos', 'PodChaos', 'StressChaos', 'TimeChaos']);
    for (const kind of kinds)
      for (const verb of ['create', 'get', 'watch', 'patch', 'delete'])
        expect(grants('chaos-mesh.org', kind.toLowerCase()), `${verb} ${kind}`).toContain(verb);
    for (const verb of ['create', 'get', 'patch', 'delete']) expect(grants('litmuschaos.io', 'chaosengines')).toContain(verb);
    expect(grants('litmuschaos.io', 'chaosexperiments')).toContain('get');
    expect(grants('litmuschaos.io', 'chaosresults')).toContain('get');
    expect(grants('', 'pods')).toEqual(expect.arrayContaining(['get', 'list']));
    for (const binding of ofKind('RoleBinding')) {
      expect(
        ofKind('Role').some((r) => r.metadata.name === binding.roleRef.name && r.metadata.namespace === binding.metadata.namespace),
      ).toBe(true);
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'faultline', namespace: 'faultline' }]);
    }
  });

  it('the Job and the CronJob run the experiments of the ConfigMap, with the journal on a volume that outlives the pod', () => {
    const [configMap] = ofKind('ConfigMap') as [Doc];
    const [pvc] = ofKind('PersistentVolumeClaim') as [Doc];
    const job = ofKind('Job')[0] as Doc;
    const cron = ofKind('CronJob')[0] as Doc;
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    for (const pod of [job.spec.template.spec, cron.spec.jobTemplate.spec.template.spec]) {
      expect(pod.serviceAccountName).toBe(ofKind('ServiceAccount')[0]?.metadata.name);
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      const container = (pod.containers as Doc[])[0] as Doc;
      expect(container.args[0]).toBe('run');
      for (const arg of (container.args as string[]).filter((a) => a.startsWith('/experiments/'))) {
        expect(Object.keys(configMap.data)).toContain(arg.slice('/experiments/'.length));
      }
      const home = (container.env as Doc[]).find((e) => e.name === 'FAULTLINE_HOME')?.value;
      const mount = (container.volumeMounts as Doc[]).find((m) => m.mountPath === home);
      const volume = (pod.volumes as Doc[]).find((v) => v.name === mount?.name);
      expect(volume?.persistentVolumeClaim?.claimName).toBe(pvc.metadata.name);
      expect((pod.volumes as Doc[]).find((v) => v.configMap)?.configMap.name).toBe(configMap.metadata.name);
    }
    for (const job of [ofKind('Job')[0], cron.spec.jobTemplate]) expect(job?.spec.backoffLimit).toBe(0);
  });

  it("the ConfigMap's experiments are valid and stay inside the namespaces RBAC and the policy allow", () => {
    const [configMap] = ofKind('ConfigMap') as [Doc];
    const dir = tempDir('faultline-deploy-');
    for (const [key, text] of Object.entries(configMap.data as Record<string, string>)) writeFileSync(join(dir, key), text);
    const roleNamespaces = new Set(ofKind('Role').map((r) => r.metadata.namespace));
    for (const key of Object.keys(configMap.data).filter((k) => k !== 'faultline.yaml')) {
      const { experiments } = parseDocuments(readFileSync(join(dir, key), 'utf8'), join(dir, key));
      for (const e of experiments) {
        const allowed = e.policy?.namespaces?.allow ?? [];
        const used = new Set([e.kubernetes?.namespace ?? 'default']);
        for (const step of e.method) if (step.kind === 'fault') for (const ns of step.selector?.namespaces ?? []) used.add(ns);
        for (const ns of used) {
          expect(roleNamespaces, `${key}: ${ns}`).toContain(ns);
          expect(allowed, `${key}: ${ns}`).toContain(ns);
        }
      }
    }
  });
});

describe('deploy/kubernetes/check-cluster.sh', () => {
  it('is valid bash, and without a cluster says so in one line and exits 3', () => {
    const script = join(DEPLOY, 'check-cluster.sh');
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const dir = tempDir('faultline-check-cluster-');
    const result = spawnSync('bash', [script], {
      env: { ...process.env, KUBECONFIG: join(dir, 'none'), HOME: dir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^check-cluster: (no cluster answers at the current context|kubectl is not on PATH)/);
  });
});

describe('examples/kubernetes', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml') && f !== 'faultline.yaml');

  it.each(files)('%s is valid, and what it exports validates against the CRDs', (file) => {
    const { experiments } = parseDocuments(readFileSync(join(EXAMPLES, file), 'utf8'), join(EXAMPLES, file));
    expect(experiments.length).toBeGreaterThan(0);
    for (const e of experiments) {
      const engine = e.kubernetes?.engine === 'litmus' ? 'litmus' : 'chaos-mesh';
      for (const m of exportExperiment(e, { to: engine }).manifests) expect(validateAgainstCrd(m), `${file} ${m.kind}`).toEqual([]);
    }
  });

  it.each(readdirSync(join(EXAMPLES, 'import')))('import/%s imports into valid documents that export back to valid manifests', (file) => {
    const result = importDocuments(readFileSync(join(EXAMPLES, 'import', file), 'utf8'));
    expect(result.skipped).toEqual([]);
    const dir = tempDir('faultline-import-example-');
    mkdirSync(dir, { recursive: true });
    const parsed = parseDocuments(renderImport(result), join(dir, 'imported.yaml'), { project: null });
    const to = file.startsWith('litmus') ? 'litmus' : 'chaos-mesh';
    for (const e of parsed.experiments) for (const m of exportExperiment(e, { to }).manifests) expect(validateAgainstCrd(m)).toEqual([]);
    for (const s of parsed.schedules) for (const m of exportSchedule(s, { to }).manifests) expect(validateAgainstCrd(m)).toEqual([]);
  });
});
