/**
 * Protection follows the thing, not the name: a protected process is never touched, whatever alias
 * reaches it (a second target on its pid file, its pid, a `match` that also matches it, an
 * experiment's own unprotected target over the project file's protected one), whatever the selector
 * (names, labels), mode and step shape (fault, parallel, progressive). Property-tested with real
 * processes and real runs through the library; the protected process is watched while each run goes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../src/engine/run.js';
import { parseExperiments } from '../src/spec/load.js';
import { UserErrors } from '../src/util/errors.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { killStarted, processState, startSleeper, waitFor } from './support/processes.js';

const id = `${process.pid}`;
let dbPid = 0;
let dbPidFile = '';
let workers: number[] = [];

beforeAll(async () => {
  const dir = tempDir('faultline-protect-');
  const db = startSleeper(`prot-db-${id}`);
  workers = [startSleeper(`prot-w-${id}-1`).pid as number, startSleeper(`prot-w-${id}-2`).pid as number];
  dbPid = db.pid as number;
  dbPidFile = join(dir, 'db.pid');
  writeFileSync(dbPidFile, `${dbPid}\n`);
  await waitFor(() => [dbPid, ...workers].every((p) => processState(p) !== undefined), 5000, 'the sleepers');
  process.env.FAULTLINE_HOME = tempHome();
});
afterAll(() => killStarted());

/** How the experiment reaches (or tries to reach) db's process. */
const ALIASES = {
  pidFile: () => `process: { pidFile: ${dbPidFile} }`,
  pid: () => `process: { pid: ${dbPid} }`,
  match: () => `process: { match: "prot-(db|w)-${id}" }`,
} as const;

const shapeArb = fc.record({
  alias: fc.constantFrom(...(Object.keys(ALIASES) as (keyof typeof ALIASES)[])),
  /** db is protected in the experiment, or in the project file and redefined unprotected by the experiment */
  dbIn: fc.constantFrom('experiment', 'project-clash'),
  selector: fc.constantFrom('names', 'labels'),
  mode: fc.constantFrom('one', 'all', 'fixed', 'fixed-percent', 'random-max-percent'),
  step: fc.constantFrom('fault', 'parallel', 'progressive'),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});
type Shape = typeof shapeArb extends fc.Arbitrary<infer T> ? T : never;

function files(shape: Shape): { experiment: string; project: string } {
  const workerTargets = workers.map((pid, i) => `    - { name: w${i + 1}, labels: { tier: app }, process: { pid: ${pid} } }`).join('\n');
  const alias = `    - { name: alias, labels: { tier: app }, ${ALIASES[shape.alias]()} }`;
  // the project file protects db; an experiment that redefines db (unprotected) must not lift that
  const project = `apiVersion: faultline.dev/v1\nkind: Project\nspec:\n  targets:\n    - { name: db, protected: true, process: { pidFile: ${dbPidFile} } }\n`;
  const db =
    shape.dbIn === 'experiment'
      ? `    - { name: db, protected: true, process: { pidFile: ${dbPidFile} } }`
      : `    - { name: db, labels: { tier: app }, process: { pid: ${dbPid} } }`;
  const selector =
    shape.selector === 'names' ? `{ names: [ alias${shape.dbIn === 'project-clash' ? ', db' : ''} ] }` : '{ labels: { tier: app } }';
  const value = ['fixed', 'fixed-percent', 'random-max-percent'].includes(shape.mode)
    ? `, value: "${shape.mode === 'fixed' ? 3 : 100}"`
    : '';
  const fault = `{ fault: process.pause, selector: ${selector}, mode: ${shape.mode}${value}, duration: 150ms, allowEmpty: true }`;
  const method =
    shape.step === 'fault'
      ? `    - ${fault}`
      : shape.step === 'parallel'
        ? `    - parallel:\n        - ${fault}`
        : `    - progressive:\n        fault: process.pause\n        selector: ${selector}\n        stages:\n          - { mode: ${shape.mode}${value}, duration: 150ms }`;
  const steady =
    shape.step === 'progressive'
      ? '  probes:\n    - { name: ok, type: cmd, cmd: { command: [ "true" ] }, interval: 50ms }\n  steadyState: { probes: [ ok ] }\n'
      : '';
  const experiment = `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: protect-${shape.seed} }\nspec:\n  hypothesis: h\n  targets:\n${db}\n${workerTargets}\n${alias}\n${steady}  method:\n${method}\n`;
  return { experiment, project };
}

describe('a protected process is never touched, however it is reached', () => {
  it('over every alias, selector, mode, step shape and project-file clash', { timeout: 240_000 }, async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(shapeArb, async (shape) => {
        const dir = tempDir('faultline-protect-run-');
        const { experiment, project } = files(shape);
        writeFileSync(join(dir, 'faultline.yaml'), project);
        const file = join(dir, 'e.yaml');
        writeFileSync(file, experiment);
        let touched = false;
        const watch = setInterval(() => {
          if (processState(dbPid) === 'T') touched = true;
        }, 5);
        try {
          const [parsed] = parseExperiments(experiment, file, { project: join(dir, 'faultline.yaml') });
          const { report } = await runExperiment(parsed as NonNullable<typeof parsed>, { seed: shape.seed });
          seen.add(report.verdict);
          expect(report.faults.map((f) => f.target).join(' '), JSON.stringify(shape)).not.toContain(`pid ${dbPid})`);
        } catch (error) {
          // a selection that reaches nothing but db is refused before any harm: that is fine
          if (!(error instanceof UserErrors)) throw error;
        } finally {
          clearInterval(watch);
        }
        expect(touched, `db was paused by ${JSON.stringify(shape)}`).toBe(false);
        expect(processState(dbPid)).not.toBe('T');
      }),
      { numRuns: 30, seed: 20261204 },
    );
    expect(seen.has('passed')).toBe(true); // the workers were hit: the runs did inject
  });
});

describe('aliases of a protected target through the CLI', () => {
  it('a second target on the protected pid file is refused with the reason, before any harm', async () => {
    const dir = tempDir('faultline-protect-cli-');
    const file = join(dir, 'alias.yaml');
    writeFileSync(
      file,
      `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: alias-of-db }
spec:
  hypothesis: h
  targets:
    - { name: db, protected: true, process: { pidFile: ${dbPidFile} } }
    - { name: db-again, process: { pidFile: ${dbPidFile} } }
  method:
    - { fault: process.kill, selector: { names: [ db-again ] } }
`,
    );
    const result = await runCli(['run', file], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).toMatch(
      /matches only protected targets: target db-again is the protected target db \(same process/,
    );
    expect(processState(dbPid)).toBeDefined();
  });
});
