/**
 * The backend contract, one suite run against every backend: local (processes on this host) and
 * kubernetes (pods behind the fake API server, Chaos Mesh as the engine). Planning changes nothing; a
 * selection never exceeds its mode and value and never includes a protected target; every injection is
 * in the journal before its effect can be seen and closed after it is reverted; reverting again is
 * harmless; a selector that matches nothing skips the step when allowed.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { planExperiment } from '../src/engine/plan.js';
import { runExperiment } from '../src/engine/run.js';
import { findFault } from '../src/faults/index.js';
import { Journal } from '../src/journal/journal.js';
import { type Experiment, parseExperiments } from '../src/spec/load.js';
import { tempDir, tempHome } from './support/cli.js';
import { FakeKubeApiServer } from './support/fake-kube-apiserver.js';
import { killStarted, processState, startSleeper } from './support/processes.js';

interface Fixture {
  name: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** the head of spec: backend and targets */
  spec(): string;
  /** a selector matching the three web instances (one more, protected, carries the same labels) */
  web: string;
  nothing: string;
  /** whether the fault's effect can be seen now */
  effectSeen(): boolean;
  /** whether anything changed since setUp */
  changed(): boolean;
}

const local = (): Fixture => {
  let sleepers: ChildProcess[] = [];
  return {
    name: 'local',
    async setUp() {
      sleepers = [0, 1, 2, 3].map((i) => startSleeper(`contract-${i}`));
    },
    async tearDown() {
      killStarted();
    },
    spec: () => `backend: local
targets:
${sleepers.map((s, i) => `  - { name: web-${i}, labels: { app: web }, process: { pid: ${s.pid} }${i === 3 ? ', protected: true' : ''} }`).join('\n')}`,
    web: '{ labels: { app: web } }',
    nothing: '{ labels: { app: nobody } }',
    effectSeen: () => sleepers.some((s) => processState(s.pid as number) === 'T'),
    changed: () => sleepers.some((s) => processState(s.pid as number) !== 'S' && processState(s.pid as number) !== 'R'),
  };
};

const kubernetes = (): Fixture => {
  let fake: FakeKubeApiServer;
  const saved = process.env.KUBECONFIG;
  const writes = () => fake.requests.filter((r) => r.method !== 'GET' && !r.path.includes('selfsubjectaccessreviews'));
  return {
    name: 'kubernetes (Chaos Mesh)',
    async setUp() {
      fake = await FakeKubeApiServer.start();
      fake.seedDeployment({ namespace: 'shop', name: 'web', replicas: 3, labels: { app: 'web' } });
      fake.seedPod({ namespace: 'shop', name: 'web-protected', labels: { app: 'web', 'faultline.dev/protected': 'true' } });
      process.env.KUBECONFIG = fake.writeKubeconfig(tempDir('faultline-contract-'), { namespace: 'shop' });
    },
    async tearDown() {
      await fake.close();
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    },
    spec: () => 'backend: kubernetes\nkubernetes: { engine: chaos-mesh }',
    web: '{ labels: { app: web } }',
    nothing: '{ labels: { app: nobody } }',
    effectSeen: () =>
      fake
        .list('podchaos')
        .some((o) => o.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'AllInjected' && c.status === 'True')),
    changed: () => writes().length > 0,
  };
};

function experiment(fixture: Fixture, method: string): Experiment {
  const indent = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
  const [e] = parseExperiments(
    `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: contract }\nspec:\n  hypothesis: the contract holds\n${indent(fixture.spec())}\n  method:\n${indent(method)}\n`,
    null,
    { project: null },
  );
  if (!e) throw new Error('no experiment');
  return e;
}

describe.each([local, kubernetes])('backend contract: %s', (make) => {
  let fixture: Fixture;
  beforeEach(async () => {
    process.env.FAULTLINE_HOME = tempHome();
    fixture = make();
    await fixture.setUp();
  });
  afterEach(async () => fixture.tearDown());

  it('planning changes nothing, never exceeds mode and value, never selects a protected target', async () => {
    for (const [mode, expected] of [
      ['mode: one', 1],
      ['mode: all', 3],
      ['{ mode: fixed, value: 2 }', 2],
      ['{ mode: fixed-percent, value: "50" }', 2],
      ['{ mode: fixed, value: 10 }', 3],
    ] as const) {
      const extra = mode.startsWith('{') ? mode.slice(1, -1).replace(/,/g, '\n    ').trim() : mode;
      const e = experiment(
        fixture,
        `- fault: process.pause\n  selector: ${fixture.web}\n  ${extra.replace(/\n\s+/g, '\n  ')}\n  duration: 1s`,
      );
      for (const seed of [1, 2, 3]) {
        const [plan] = await planExperiment(e, seed);
        expect(plan?.candidates).toHaveLength(3);
        expect(plan?.selected, mode).toHaveLength(expected);
        expect(plan?.selected.map((t) => t.name).join(' ')).not.toMatch(/protected|web-3/);
      }
    }
    expect(fixture.changed()).toBe(false);
  });

  it('journals every injection before its effect can be seen, and closes it after the revert', async () => {
    const e = experiment(fixture, `- fault: process.pause\n  selector: ${fixture.web}\n  mode: all\n  duration: 800ms`);
    const journal = new Journal();
    let seen = false;
    let seenWithoutEntry = false;
    const watcher = setInterval(() => {
      if (!fixture.effectSeen()) return;
      seen = true;
      if (journal.open().length === 0) seenWithoutEntry = true;
    }, 10);
    const { report } = await runExperiment(e, { seed: 1, journal });
    clearInterval(watcher);
    expect(report.verdict, report.reason).toBe('passed');
    expect(seen).toBe(true);
    expect(seenWithoutEntry).toBe(false);
    expect(fixture.effectSeen()).toBe(false);
    const entries = journal.entriesOfRun(report.runId);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((entry) => entry.status === 'reverted')).toBe(true);
    // reverting again, from the journal alone, is harmless
    for (const entry of entries) await findFault(entry.fault)?.revert(entry.state);
    expect(fixture.effectSeen()).toBe(false);
    journal.close();
  });

  it('a selector that matches nothing fails before any harm, or skips the step with allowEmpty', async () => {
    const refused = await runExperiment(experiment(fixture, `- fault: process.pause\n  selector: ${fixture.nothing}\n  duration: 1s`), {
      seed: 1,
    });
    expect(refused.report.verdict).toBe('error');
    expect(refused.report.reason).toMatch(/matches no/);
    const skipped = await runExperiment(
      experiment(fixture, `- fault: process.pause\n  selector: ${fixture.nothing}\n  allowEmpty: true\n  duration: 1s`),
      { seed: 1 },
    );
    expect(skipped.report.verdict).toBe('passed');
    expect(skipped.report.faults).toEqual([]);
    expect(fixture.changed()).toBe(false);
  });
});
