/**
 * The fault contract: what every registered fault promises on its own target kind, checked for each
 * fault the registry holds, so that a new fault gets the whole suite by registering (and giving an
 * `example` of its params when they have required fields). A test file per target kind provides a
 * target and a synchronous `snapshot()` of what a user would look at (the file's bytes, the process's
 * state, the proxy's toxics); the suite then checks, in process and quickly:
 *
 *   - parameter errors are located (file:line:column and the params path);
 *   - the dry run describes the fault in one line, or refuses it with one line (a fault of another backend);
 *   - the journal entry is written before the effect (the snapshot is unchanged when it is written);
 *   - revert restores the snapshot exactly; a second revert is harmless;
 * (a kind may give other params than the examples: the kernel kind gives `mechanism: kernel`)
 * and, with the real CLI: a runner holding every fault of the kind at once is SIGKILLed with its guardian,
 * then `faultline recover` leaves nothing (the snapshot is back, the journal closed).
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Timeline } from '../../src/engine/events.js';
import { Injector } from '../../src/engine/injector.js';
import { RunResources, setUpTargets } from '../../src/engine/resources.js';
import type { TargetInstance } from '../../src/engine/target-instance.js';
import { allFaults } from '../../src/faults/index.js';
import { type FaultType, type TargetNeed, targetNeedOf } from '../../src/faults/types.js';
import { Journal } from '../../src/journal/journal.js';
import { parseExperiments } from '../../src/spec/load.js';
import type { TargetSpec } from '../../src/spec/target.js';
import { UserError } from '../../src/util/errors.js';
import { runCli, startCli, tempDir, tempHome } from './cli.js';
import { killRunnerAndGuardian } from './guardian.js';
import { waitFor } from './processes.js';

/** The params a contract run gives a fault: its registered example, its folders (`path`, `cwd`) in the test's own. */
export function contractParams(fault: FaultType, scratch: string): Record<string, unknown> {
  const example = { ...(fault.example ?? {}) };
  if ('path' in example && fault.name !== 'file.corrupt') example.path = scratch;
  if ('run' in example) example.cwd = scratch;
  return example;
}

/** What a contract gives a fault as its params (by default its example, see contractParams). */
export type ParamsOf = (fault: FaultType, scratch: string) => Record<string, unknown>;

/** The registered faults (those an experiment may name) whose target kind, with the params given, is `need`. */
export function faultsFor(need: TargetNeed, paramsOf: ParamsOf = (fault) => ({ ...(fault.example ?? {}) })): FaultType[] {
  return allFaults().filter((fault) => {
    const parsed = fault.params.safeParse(paramsOf(fault, tmpdir()));
    return parsed.success && targetNeedOf(fault, parsed.data) === need;
  });
}

export interface ContractTarget {
  /** the target as an experiment declares it (name, process, endpoint, files...) */
  spec: Record<string, unknown> & { name: string };
  /** what a user would look at to see the fault: equal before and after, different while it holds */
  snapshot(): string;
  /**
   * the part of the snapshot that is harm, when the journal is written (default: all of it); stress
   * workers, say, are started idle and journaled before they are let go (src/faults/stress/launch.ts)
   */
  harm?(): string;
}

export interface ContractKind {
  need: TargetNeed;
  /** a fresh target for one fault (a new process, a new file...); the folder is the test's own */
  target(scratch: string): Promise<ContractTarget>;
  /** environment of the runner (a marker its children inherit, for the snapshot) */
  env?: (scratch: string) => Record<string, string>;
  /** the params of each fault (default: its registered example); `mechanism: kernel`, say */
  params?: ParamsOf;
}

const experimentText = (name: string, target: ContractTarget['spec'], steps: Record<string, unknown>[]) =>
  stringify({
    apiVersion: 'faultline.dev/v1',
    kind: 'Experiment',
    metadata: { name },
    spec: { hypothesis: 'every fault of the contract is reverted', targets: [target], method: steps },
  });

function stepOf(fault: FaultType, params: Record<string, unknown>, target: ContractTarget['spec'], duration: string) {
  const parsed = fault.params.parse(params);
  const selector = targetNeedOf(fault, parsed) === 'host' ? {} : { selector: { names: [target.name] } };
  return { name: fault.name.replace('.', '-'), fault: fault.name, ...selector, params, duration };
}

/** A fault that refuses this backend when it is described (dns.* on backend local) is planned, never applied. */
function refusal(fault: FaultType, params: unknown, instance: TargetInstance): string | null {
  try {
    fault.describe(params, instance, 1000);
    return null;
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
}

export function faultContract(kind: ContractKind): void {
  const paramsOf = kind.params ?? contractParams;
  const faults = faultsFor(kind.need, kind.params);
  let scratch: string;
  beforeAll(() => {
    scratch = tempDir('faultline-contract-');
  });

  it(`finds the faults of target kind ${kind.need} in the registry`, () => {
    expect(faults.length).toBeGreaterThan(0);
  });

  for (const fault of faults) {
    describe(fault.name, () => {
      it('locates a parameter error at its line and column', () => {
        const text = experimentText('contract-bad-params', { name: 't' }, [
          { fault: fault.name, selector: { names: ['t'] }, params: { notAParamOfAnyFault: 1 }, duration: '1s' },
        ]);
        let message = '';
        try {
          parseExperiments(text, 'contract.yaml');
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).toMatch(/contract\.yaml:\d+:\d+/);
        expect(message).toContain('params');
        expect(message).not.toMatch(/\n\s+at /); // no stack trace
      });

      it('describes itself in one line for a dry run, journals before the effect, reverts exactly, twice harmlessly', async () => {
        const target = await kind.target(scratch);
        const spec = target.spec as unknown as TargetSpec;
        const params = fault.params.parse(paramsOf(fault, scratch));
        const instance = await instanceOf(fault, spec, params);
        const refused = refusal(fault, params, instance);
        if (refused !== null) {
          expect(refused.split('\n')).toHaveLength(1);
          expect(refused).toMatch(/backend/);
          return;
        }
        const description = fault.describe(params, instance, 1000);
        expect(description.trim()).not.toBe('');
        expect(description).not.toContain('\n');

        const before = target.snapshot();
        const harmBefore = (target.harm ?? target.snapshot)();
        const journal = new Journal(join(tempHome(), 'journal.db'));
        const atJournal: string[] = [];
        const begin = journal.begin.bind(journal);
        journal.begin = (entry) => {
          atJournal.push((target.harm ?? target.snapshot)());
          return begin(entry);
        };
        const resources = new RunResources();
        const run = { runId: `contract-${fault.name}`, experiment: 'contract' };
        await setUpTargets([spec], { ...run, resources }, journal);
        const injector = new Injector(journal, run, new Timeline(), resources);
        try {
          const injection = await injector.inject(fault.name, fault, params, instance, 60_000);
          expect(atJournal.length).toBeGreaterThan(0);
          expect(atJournal[0]).toBe(harmBefore); // journaled before any harm
          if (!fault.instantaneous) expect(target.snapshot()).not.toBe(before);
          await injector.revert(injection);
          if (!fault.instantaneous) expect(await settled(target, before)).toBe(before);
          await fault.revert(injection.state as never); // a second revert, from the journaled state alone
          if (!fault.instantaneous) expect(await settled(target, before)).toBe(before);
          expect(journal.open()).toEqual([]);
        } finally {
          await injector.revertAll();
          await resources.disposeAll();
          journal.close();
        }
      });
    });
  }

  it(`leaves nothing after the runner holding every ${kind.need} fault is SIGKILLed and faultline recover runs`, async () => {
    const held = faults.filter((f) => !f.instantaneous);
    const targets = await Promise.all(held.map(() => kind.target(scratch)));
    // each fault on its own target (a fresh process, file...), all held at once by one runner
    const steps = held.map((fault, i) => ({ ...stepOf(fault, paramsOf(fault, scratch), targets[i]!.spec, '10m') }));
    const live = held.filter(
      (fault, i) =>
        refusal(fault, fault.params.parse(steps[i]!.params), { name: 'x', labels: {}, spec: targets[i]!.spec as never }) === null,
    );
    if (live.length === 0) return;
    const liveSteps = steps.filter((_s, i) => live.includes(held[i]!));
    const liveTargets = targets.filter((_t, i) => live.includes(held[i]!));
    const specs = liveTargets.map((t, i) => ({ ...t.spec, name: `${t.spec.name}-${i}` }));
    const renamed = liveSteps.map((s, i) => ('selector' in s ? { ...s, selector: { names: [specs[i]!.name] } } : s));
    const before = liveTargets.map((t) => t.snapshot());
    const file = join(tempDir(), `crash-${kind.need}.yaml`);
    writeFileSync(
      file,
      stringify({
        apiVersion: 'faultline.dev/v1',
        kind: 'Experiment',
        metadata: { name: `contract-crash-${kind.need}` },
        spec: { hypothesis: 'nothing outlives the runner', targets: specs, method: [{ parallel: renamed }] },
      }),
    );
    const home = tempHome();
    const run = startCli(['run', file], { home, env: kind.env?.(scratch) ?? {} });
    try {
      const journalFile = join(home, 'journal.db');
      await waitFor(
        () => {
          try {
            const journal = new Journal(journalFile);
            const active = journal.open().filter((e) => e.status === 'active' && e.step !== 'setup').length;
            journal.close();
            return active >= live.length;
          } catch {
            return false;
          }
        },
        30_000,
        `${live.length} faults active (${run.output().slice(-400)})`,
      );
      await killRunnerAndGuardian(run, home);
      const recovered = await runCli(['recover'], { home });
      expect(recovered.code, recovered.stdout + recovered.stderr).toBe(0);
      expect(await Promise.all(liveTargets.map((t, i) => settled(t, before[i]!)))).toEqual(before);
      const journal = new Journal(journalFile);
      expect(journal.open()).toEqual([]);
      journal.close();
    } finally {
      run.child.kill('SIGKILL');
      await run.done;
    }
  });
}

/**
 * The snapshot once it equals `expected`, or after 3 s: a killed worker takes a moment to exit after the
 * revert sent its signal, as a user looking a moment later would see.
 */
async function settled(target: ContractTarget, expected: string): Promise<string> {
  const deadline = Date.now() + 3_000;
  let now = target.snapshot();
  while (now !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    now = target.snapshot();
  }
  return now;
}

/** The instance the local backend would resolve for this target (its process, when the fault needs one). */
async function instanceOf(fault: FaultType, spec: TargetSpec, params: unknown): Promise<TargetInstance> {
  const base = { name: spec.name, labels: spec.labels ?? {}, spec };
  const need = targetNeedOf(fault, params);
  if (need === 'host') return { ...base, name: 'localhost', host: true };
  if (need !== 'process') return base;
  const { findProcesses } = await import('../../src/engine/find-processes.js');
  const [info] = findProcesses(spec);
  if (!info) throw new Error(`no process for target ${spec.name}`);
  return { ...base, pid: info.pid, startTime: info.startTime, command: info.command };
}
