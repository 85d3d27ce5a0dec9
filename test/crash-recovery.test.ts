/**
 * No fault outlives its run: SIGKILL the runner while a fault is active and its guardian reverts it
 * within a second, with nobody involved; when the guardian dies too (a lost host), `faultline recover`
 * (or the next `faultline run`) reverts it from the journal alone.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir, tempHome } from './support/cli.js';
import { expectGuardianReverts, GUARDIAN_BOUND_MS, killRunnerAndGuardian } from './support/guardian.js';
import { killStarted, processState, startSleeper, waitFor } from './support/processes.js';

afterEach(() => killStarted());

function pauseExperiment(dir: string, pid: number, name = 'pause-forever'): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  hypothesis: The worker can be paused.
  targets:
    - name: worker
      process: { pid: ${pid} }
  method:
    - fault: process.pause
      selector: { names: [ worker ] }
      duration: 10m
`,
  );
  return file;
}

describe('process.pause after the runner is SIGKILLed', () => {
  it('is resumed by the guardian within a second, with nobody running recover', async () => {
    const home = tempHome();
    const worker = startSleeper('crash-pause-guardian');
    const pid = worker.pid as number;
    const run = startCli(['run', pauseExperiment(tempDir(), pid)], { home });
    await waitFor(() => processState(pid) === 'T', 10_000, 'the worker to be stopped by the run');
    const took = await expectGuardianReverts(run, home, () => processState(pid) === 'S', 'the paused worker');
    expect(took).toBeLessThanOrEqual(GUARDIAN_BOUND_MS);
    const recovered = await runCli(['recover'], { home });
    expect(recovered.stdout).toMatch(/nothing to recover/);
  });

  it('is resumed by faultline recover when the guardian died too: the process is no longer stopped', async () => {
    const home = tempHome();
    const worker = startSleeper('crash-pause');
    const pid = worker.pid as number;
    const run = startCli(['run', pauseExperiment(tempDir(), pid)], { home });
    await waitFor(() => processState(pid) === 'T', 10_000, 'the worker to be stopped by the run');

    await killRunnerAndGuardian(run, home);
    expect(processState(pid)).toBe('T'); // the fault outlived its runner...

    const recovered = await runCli(['recover'], { home });
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toMatch(new RegExp(`reverted #\\d+ process.pause on worker \\(pid ${pid}\\)`));
    expect(processState(pid)).not.toBe('T'); // ...until recover resumed it
    expect(processState(pid)).toBeDefined();

    const again = await runCli(['recover'], { home });
    expect(again.stdout).toMatch(/nothing to recover/);
  });

  it('is resumed by the next faultline run before it does anything else', async () => {
    const home = tempHome();
    const dir = tempDir();
    const worker = startSleeper('crash-pause-next-run');
    const pid = worker.pid as number;
    const run = startCli(['run', pauseExperiment(dir, pid)], { home });
    await waitFor(() => processState(pid) === 'T', 10_000, 'the worker to be stopped');
    await killRunnerAndGuardian(run, home);

    const other = startSleeper('crash-other');
    const next = startCli(['run', pauseExperiment(dir, other.pid as number, 'pause-other')], { home });
    await waitFor(() => processState(other.pid as number) === 'T', 10_000, 'the second run to inject');
    expect(processState(pid)).not.toBe('T');
    next.child.kill('SIGINT');
    const result = await next.done;
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/INTERRUPTED pause-other/);
    expect(processState(other.pid as number)).not.toBe('T');
  });

  it('leaves a live run alone: recover skips faults whose runner still runs', async () => {
    const home = tempHome();
    const worker = startSleeper('crash-live');
    const pid = worker.pid as number;
    const run = startCli(['run', pauseExperiment(tempDir(), pid)], { home });
    await waitFor(() => processState(pid) === 'T', 10_000, 'the worker to be stopped');
    const recovered = await runCli(['recover'], { home });
    expect(recovered.stdout).toMatch(/skipped .* still running/);
    expect(processState(pid)).toBe('T');
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(processState(pid)).not.toBe('T');
  });
});

describe('custom.action after the runner is SIGKILLed', () => {
  it('runs the journaled revert command on recover', async () => {
    const home = tempHome();
    const dir = tempDir();
    const marker = join(dir, 'harm-marker');
    const file = join(dir, 'custom.yaml');
    writeFileSync(
      file,
      `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: custom-crash }
spec:
  hypothesis: A custom action is reverted even when the runner dies.
  method:
    - fault: custom.action
      params: { run: [ touch, ${marker} ], revert: [ rm, -f, ${marker} ] }
      duration: 10m
`,
    );
    const run = startCli(['run', file], { home });
    await waitFor(() => existsSync(marker), 10_000, 'the action to run');
    await killRunnerAndGuardian(run, home);
    expect(existsSync(marker)).toBe(true);
    const recovered = await runCli(['recover'], { home });
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toMatch(/reverted #\d+ custom.action/);
    expect(existsSync(marker)).toBe(false);
  });
});

/** A custom action whose run command takes 2s and then harms (touches `harm`); its revert removes `reverted`. */
function slowAction(name: string, reverted: 'started' | 'harm') {
  const home = tempHome();
  const dir = tempDir();
  const started = join(dir, 'started');
  const harm = join(dir, 'late-harm');
  const file = join(dir, 'slow-action.yaml');
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  hypothesis: A slow custom action is ended with its runner.
  method:
    - fault: custom.action
      params: { run: [ sh, -c, "touch ${started}; sleep 2; touch ${harm}" ], revert: [ rm, -f, ${reverted === 'started' ? started : harm} ] }
      duration: 10m
`,
  );
  return { home, file, started, harm };
}

describe('custom.action whose run command outlives its runner', () => {
  it('is ended by recover, so its harm cannot land after the revert', async () => {
    const { home, file, started, harm } = slowAction('slow-action', 'harm');
    const run = startCli(['run', file], { home });
    await waitFor(() => existsSync(started), 10_000, 'the action to start');
    await killRunnerAndGuardian(run, home);
    const recovered = await runCli(['recover'], { home });
    expect(recovered.stdout).toMatch(/reverted #\d+ custom.action/);
    await new Promise((r) => setTimeout(r, 2500));
    expect(existsSync(harm)).toBe(false);
  });

  it('is ended by the guardian within a second when only the runner dies', async () => {
    const { home, file, started, harm } = slowAction('slow-action-guardian', 'started');
    const run = startCli(['run', file], { home });
    await waitFor(() => existsSync(started), 10_000, 'the action to start');
    await expectGuardianReverts(run, home, () => !existsSync(started), 'the custom action');
    await new Promise((r) => setTimeout(r, 2500));
    expect(existsSync(harm)).toBe(false); // its run command was ended with the revert
  });
});
