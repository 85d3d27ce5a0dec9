/**
 * Safety before and during harm, against real processes: the halt switch, target locks, the blast
 * radius and project policy (labels, maxTargets, maxPercent, minHealthy), and the dry run.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { runCli, startCli, tempDir, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { killStarted, processState, startSleeper, waitFor } from './support/processes.js';

afterEach(() => killStarted());

function pauseFor(name: string, pid: number, duration: string, extra = ''): string {
  return writeExperiment(
    name,
    `hypothesis: n/a\ntargets: [ { name: worker, process: { pid: ${pid} } } ]\nmethod:\n  - { fault: process.pause, selector: { names: [ worker ] }, duration: ${duration} }\n${extra}`,
  );
}

function reportIn(dir: string): RunReport {
  const file = readdirSync(dir).find((f) => f.endsWith('.json')) as string;
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

describe('the halt switch', () => {
  it('reverts a running run within a second, ends it aborted, records who and why, and refuses new runs until unhalt', async () => {
    const home = tempHome();
    const worker = startSleeper('halt');
    const pid = worker.pid as number;
    const reports = tempDir();
    const run = startCli(['run', pauseFor('long-pause', pid, '10m'), '--report-dir', reports], { home });
    await waitFor(() => processState(pid) === 'T', 10_000, 'the pause');

    const haltedAt = Date.now();
    const halted = await runCli(['halt', '--reason', 'checkout incident INC-42'], { home });
    expect(halted.code).toBe(0);
    expect(halted.stdout).toMatch(/halted by \S+@\S+ at .*: checkout incident INC-42/);
    expect(halted.stdout).toMatch(/1 run\(s\) reverting: long-pause/);
    const result = await run.done;
    expect(result.code).toBe(2);
    const report = reportIn(reports);
    expect(report.verdict).toBe('aborted');
    expect(report.reason).toMatch(/halted by \S+ at .*: checkout incident INC-42/);
    const revertedAt = Date.parse(report.faults[0]?.revertedAt as string);
    expect(revertedAt - haltedAt).toBeLessThan(1000);
    expect(processState(pid)).not.toBe('T');

    const refused = await runCli(['run', pauseFor('refused', pid, '1s')], { home });
    expect(refused.code).toBe(2);
    // refused by the halt guard, or by the halt watch if it polls first: either way before any fault
    expect(refused.stdout).toMatch(/halted by .*INC-42/);
    expect(refused.stdout).not.toMatch(/injected/);
    expect(processState(pid)).not.toBe('T');
    const runs = await runCli(['runs'], { home });
    expect(runs.stdout).toMatch(/HALTED: halted by .*INC-42/);

    const lifted = await runCli(['unhalt'], { home });
    expect(lifted.stdout).toMatch(/halt lifted/);
    const allowed = await runCli(['run', pauseFor('allowed', pid, '100ms')], { home });
    expect(allowed.code).toBe(0);
    expect((await runCli(['unhalt'], { home })).stdout).toMatch(/was not halted/);
  });

  it('says so when no run is active, and needs a reason', async () => {
    const home = tempHome();
    const halted = await runCli(['halt', '--reason', 'game day paused'], { home });
    expect(halted.stdout).toMatch(/no run is active; new runs are refused until `faultline unhalt`/);
    const noReason = await runCli(['halt'], { home });
    expect(noReason.code).toBe(3);
    expect(noReason.stderr).toMatch(/required option '--reason <text>'/);
  });
});

describe('target locks', () => {
  it('refuses a second run on a target another run holds, and waits when told to', async () => {
    const home = tempHome();
    const worker = startSleeper('locked');
    const pid = worker.pid as number;
    const first = startCli(['run', pauseFor('holder', pid, '4s')], { home });
    await waitFor(() => processState(pid) === 'T', 10_000, 'the first run to pause the worker');

    const refused = await runCli(['run', pauseFor('intruder', pid, '100ms')], { home });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(
      new RegExp(`guard lock refused before any fault: worker \\(pid ${pid}\\) is held by run \\S+ \\(pid \\d+\\)`),
    );

    const patient = await runCli(['run', pauseFor('patient', pid, '100ms', 'guards: { lock: { wait: 10s } }')], { home });
    expect(patient.code).toBe(0);
    expect((await first.done).code).toBe(0);
  });

  it('takes over the lock of a run that died', async () => {
    const home = tempHome();
    const worker = startSleeper('dead-holder');
    const pid = worker.pid as number;
    const first = startCli(['run', pauseFor('dies', pid, '10m')], { home });
    await waitFor(() => processState(pid) === 'T', 10_000, 'the pause');
    first.child.kill('SIGKILL');
    await first.done;
    const next = await runCli(['run', pauseFor('next', pid, '100ms')], { home });
    expect(next.code).toBe(0);
    expect(processState(pid)).not.toBe('T'); // the next run recovered the dead run's pause first
  });
});

describe('blast radius and policy', () => {
  function project(dir: string, policy: string, targets: string): void {
    writeFileSync(
      join(dir, 'faultline.yaml'),
      `apiVersion: faultline.dev/v1\nkind: Project\nspec:\n  targets:\n${targets}\n  policy:\n${policy}\n`,
    );
  }

  it('refuses a selection that hits a denylisted target, naming it, before any harm', async () => {
    const dir = tempDir();
    const db = startSleeper('policy-db');
    const api = startSleeper('policy-api');
    project(
      dir,
      '    denyLabels: [ { tier: data } ]',
      `    - { name: db, labels: { tier: data }, process: { pid: ${db.pid} } }\n    - { name: api, labels: { tier: web }, process: { pid: ${api.pid} } }`,
    );
    const file = writeExperiment(
      'hit-everything',
      'hypothesis: n/a\nmethod:\n  - { fault: process.pause, selector: { names: [ db, api ] }, mode: all, duration: 1s }',
      dir,
    );
    const result = await runCli(['run', file], { home: tempHome() });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(new RegExp(`spec.method\\[0\\] would hit db \\(pid ${db.pid}\\), denied by policy denyLabels tier=data`));
    expect(processState(db.pid as number)).not.toBe('T');
    expect(processState(api.pid as number)).not.toBe('T');
  });

  it('refuses more targets than maxTargets and more than maxPercent of a step', async () => {
    const fleet = [1, 2, 3].map(() => startSleeper('radius-fleet'));
    const spec = (radius: string) =>
      `hypothesis: n/a\ntargets: [ { name: fleet, process: { match: "--tag=radius-fleet$" } } ]\nblastRadius: ${radius}\nmethod:\n  - { fault: process.pause, selector: { names: [ fleet ] }, mode: fixed, value: 2, duration: 200ms }`;
    const tooMany = await runCli(['run', writeExperiment('too-many', spec('{ maxTargets: 1 }'))], { home: tempHome() });
    expect(tooMany.code).toBe(2);
    expect(tooMany.stdout).toMatch(
      /the run would hit 2 targets \(fleet \(pid \d+\), fleet \(pid \d+\)\), over spec.blastRadius maxTargets 1/,
    );
    const tooWide = await runCli(['run', writeExperiment('too-wide', spec('{ maxPercent: 50 }'))], { home: tempHome() });
    expect(tooWide.code).toBe(2);
    expect(tooWide.stdout).toMatch(/would hit 2 of 3 targets \(67%.*over spec.blastRadius maxPercent 50/);
    const within = await runCli(['run', writeExperiment('within', spec('{ maxTargets: 2, maxPercent: 70 }'))], { home: tempHome() });
    expect(within.code).toBe(0);
    for (const w of fleet) expect(processState(w.pid as number)).not.toBe('T');
  });

  it('refuses a kill that would leave fewer healthy members than minHealthy, judged by their health probe', async () => {
    const dir = tempDir();
    const [a, b] = [startSleeper('group-a'), startSleeper('group-b')];
    const healthy = join(dir, 'b-is-healthy');
    project(
      dir,
      '    minHealthy: [ { name: payments, selector: { labels: { app: payments } }, min: 1 } ]',
      `    - { name: a, labels: { app: payments }, process: { pid: ${a.pid} } }\n    - { name: b, labels: { app: payments }, process: { pid: ${b.pid} }, health: b-health }\n  probes:\n    - { name: b-health, type: cmd, cmd: { command: [ test, -e, ${healthy} ] } }`,
    );
    const file = writeExperiment(
      'pause-a',
      'hypothesis: n/a\nmethod:\n  - { fault: process.pause, selector: { names: [ a ] }, duration: 200ms }',
      dir,
    );
    // b's health probe fails: pausing a would leave no healthy member
    const refused = await runCli(['run', file], { home: tempHome() });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(
      new RegExp(`minHealthy payments: 1 of 2 members healthy; taking down a \\(pid ${a.pid}\\) would leave 0, fewer than 1`),
    );
    expect(processState(a.pid as number)).not.toBe('T');
    // b becomes healthy: the pause is allowed
    writeFileSync(healthy, '');
    const allowed = await runCli(['run', file], { home: tempHome() });
    expect(allowed.code).toBe(0);
  });

  it('refuses a target outside allowLabels', async () => {
    const dir = tempDir();
    const worker = startSleeper('allow');
    project(
      dir,
      '    allowLabels: [ { env: staging } ]',
      `    - { name: prod-worker, labels: { env: prod }, process: { pid: ${worker.pid} } }`,
    );
    const file = writeExperiment(
      'prod',
      'hypothesis: n/a\nmethod:\n  - { fault: process.kill, selector: { names: [ prod-worker ] } }',
      dir,
    );
    const result = await runCli(['run', file], { home: tempHome() });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/prod-worker \(pid \d+\), whose labels match no policy allowLabels entry/);
    expect(processState(worker.pid as number)).toBeDefined();
  });
});

describe('dry run', () => {
  it('evaluates every guard without side effects and prints what would happen', async () => {
    const home = tempHome();
    const worker = startSleeper('dry');
    const pid = worker.pid as number;
    await runCli(['halt', '--reason', 'freeze for the dry run test'], { home });
    const file = pauseFor(
      'dry',
      pid,
      '30s',
      'guards:\n  stopWhen: [ { probe: alive, consecutiveFailures: 2 } ]\nprobes:\n  - { name: alive, type: cmd, cmd: { command: [ "true" ] } }',
    );
    const result = await runCli(['run', '--dry-run', file], { home });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`SIGSTOP worker \\(pid ${pid}\\) for 30s, then SIGCONT`));
    expect(result.stdout).toMatch(/guard halt: REFUSE \(halted by .*freeze for the dry run test/);
    expect(result.stdout).toMatch(/guard policy: pass/);
    expect(result.stdout).toMatch(/guard lock: pass \(1 target\(s\) free\)/);
    expect(result.stdout).toMatch(/stop condition while faults are active: alive 2 consecutive failures over 10s/);
    expect(result.stdout).toMatch(/a real run would be refused: halt/);
    expect(processState(pid)).not.toBe('T');
    const runs = await runCli(['runs'], { home });
    expect(runs.stdout).toMatch(/no run yet/); // a dry run stores no run
  });
});
