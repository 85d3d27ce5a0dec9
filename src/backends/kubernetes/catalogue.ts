/**
 * Which engine can do which fault of the catalogue (docs/faults.md), so that a fault an engine cannot
 * do is refused before anything is created, with the name of the engine (or backend) that can.
 */

import type { KubernetesEngineName } from '../../spec/kubernetes.js';
import { UserError } from '../../util/errors.js';

interface Support {
  'chaos-mesh'?: string;
  litmus?: string;
  native?: string;
  /** why an engine cannot, when the reason is not obvious */
  notes?: Partial<Record<KubernetesEngineName, string>>;
}

export const ENGINE_LABEL: Record<KubernetesEngineName, string> = {
  'chaos-mesh': 'Chaos Mesh',
  litmus: 'LitmusChaos',
  native: 'engine native (faultline through the Kubernetes API)',
};

const SUPPORT: Record<string, Support> = {
  'process.kill': {
    'chaos-mesh': 'PodChaos pod-kill, container-kill',
    litmus: 'pod-delete, container-kill',
    native: 'pod deletion through the API',
  },
  'process.pause': { 'chaos-mesh': 'PodChaos pod-failure' },
  'network.latency': { 'chaos-mesh': 'NetworkChaos delay', litmus: 'pod-network-latency' },
  'network.loss': { 'chaos-mesh': 'NetworkChaos loss', litmus: 'pod-network-loss' },
  'network.bandwidth': { 'chaos-mesh': 'NetworkChaos bandwidth', litmus: 'pod-network-rate-limit' },
  'network.partition': { 'chaos-mesh': 'NetworkChaos partition', litmus: 'pod-network-partition' },
  'network.corrupt': { 'chaos-mesh': 'NetworkChaos corrupt', litmus: 'pod-network-corruption' },
  'http.abort': { 'chaos-mesh': 'HTTPChaos abort', litmus: 'pod-http-status-code, pod-http-reset-peer' },
  'http.delay': { 'chaos-mesh': 'HTTPChaos delay', litmus: 'pod-http-latency' },
  'http.replace': { 'chaos-mesh': 'HTTPChaos replace', litmus: 'pod-http-modify-body, pod-http-modify-header' },
  'http.patch': { 'chaos-mesh': 'HTTPChaos patch' },
  'stress.cpu': { 'chaos-mesh': 'StressChaos cpu', litmus: 'pod-cpu-hog' },
  'stress.memory': { 'chaos-mesh': 'StressChaos memory', litmus: 'pod-memory-hog' },
  'stress.io': {
    litmus: 'pod-io-stress',
    notes: {
      'chaos-mesh':
        'StressChaos has only cpu and memory stressors (its stressngStressors is never sent to the daemon, chaos-mesh PR #4945)',
    },
  },
  'disk.fill': { litmus: 'disk-fill', notes: { 'chaos-mesh': 'Chaos Mesh has no disk-fill for pods' } },
  'time.skew': { 'chaos-mesh': 'TimeChaos' },
  'file.corrupt': { 'chaos-mesh': 'IOChaos mistake' },
  'io.latency': { 'chaos-mesh': 'IOChaos latency' },
  'io.error': { 'chaos-mesh': 'IOChaos fault' },
  'io.attr': { 'chaos-mesh': 'IOChaos attrOverride' },
  'io.mistake': { 'chaos-mesh': 'IOChaos mistake' },
  'dns.error': { 'chaos-mesh': 'DNSChaos error', litmus: 'pod-dns-error' },
  'dns.random': { 'chaos-mesh': 'DNSChaos random' },
};

/** Faults that only the local fault proxy can do. */
const PROXY_ONLY = ['network.reset', 'network.timeout', 'network.slicer', 'network.limit-data', 'network.slow-close', 'message.tamper'];

/** What the engine turns the fault into (`NetworkChaos delay`), or throws a UserError naming who can. */
export function requireSupport(fault: string, engine: KubernetesEngineName, where: string): string {
  const support = SUPPORT[fault];
  const done = support?.[engine];
  if (done) return done;
  const label = ENGINE_LABEL[engine];
  if (!support) {
    const local = PROXY_ONLY.includes(fault) ? 'the local fault proxy' : 'backend local';
    throw new UserError(`${where}: ${fault} cannot run on ${label}: no Kubernetes engine does it; it runs on ${local} (backend: local)`);
  }
  const others = (['chaos-mesh', 'litmus', 'native'] as const).filter((e) => e !== engine && support[e]);
  const why = support.notes?.[engine] ? ` (${support.notes[engine]})` : '';
  const instead = others.length ? `use ${others.map((e) => `engine ${e} (${support[e]})`).join(' or ')}` : 'it runs on backend local';
  throw new UserError(`${where}: ${fault} cannot run on ${label}${why}; ${instead}`);
}

export function isKubernetesFault(fault: string): boolean {
  return fault in SUPPORT;
}

/** Every fault some Kubernetes engine can do, with what each engine makes of it (for docs and tests). */
export function supportTable(): Record<string, Support> {
  return SUPPORT;
}
