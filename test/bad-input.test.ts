/** Bad input at run time: one clear line each, exit 3, no stack trace, nothing injected. */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { killStarted, processState, startSleeper } from './support/processes.js';

afterEach(() => killStarted());

function expectOneLineError(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(3);
  const output = result.stdout + result.stderr;
  expect(output).toMatch(pattern);
  expect(output).not.toMatch(/\n\s+at \S+ \(/); // no stack frame
  expect(result.stderr).not.toMatch(/internal error/);
}

describe('faultline run with bad input', () => {
  it('a pid that does not exist', async () => {
    const file = writeExperiment(
      'no-such-pid',
      'hypothesis: n/a\ntargets: [ { name: ghost, process: { pid: 999999 } } ]\nmethod:\n  - { fault: process.kill, selector: { names: [ ghost ] } }',
    );
    expectOneLineError(
      await runCli(['run', file], { home: tempHome() }),
      /target ghost: no process with pid 999999; check that it is running/,
    );
  });

  it('a pid file that is missing', async () => {
    const file = writeExperiment(
      'no-pid-file',
      'hypothesis: n/a\ntargets: [ { name: svc, process: { pidFile: /nonexistent/svc.pid } } ]\nmethod:\n  - { fault: process.kill, selector: { names: [ svc ] } }',
    );
    expectOneLineError(await runCli(['run', file], { home: tempHome() }), /target svc: pid file \/nonexistent\/svc.pid cannot be read/);
  });

  it('a pid that belongs to another user, when faultline is not root', async () => {
    const rootOwned = startSleeper('owned-by-root');
    const home = tempDir('faultline-nobody-home-');
    chmodSync(home, 0o777);
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const file = writeExperiment(
      'other-users-pid',
      `hypothesis: n/a\ntargets: [ { name: rootproc, process: { pid: ${rootOwned.pid} } } ]\nmethod:\n  - { fault: process.pause, selector: { names: [ rootproc ] }, duration: 1s }`,
      dir,
    );
    chmodSync(file, 0o644);
    // run the real CLI as user nobody (65534) against a process owned by root
    const result = await runCli(['run', file], { home, cwd: dir, uid: 65534 });
    expectOneLineError(
      result,
      new RegExp(`target rootproc: pid ${rootOwned.pid} belongs to user 0; run faultline as that user or as root`),
    );
    expect(processState(rootOwned.pid as number)).not.toBe('T');
  });

  it('a probe URL whose host does not resolve', async () => {
    const worker = startSleeper('unresolvable');
    const file = writeExperiment(
      'bad-probe-host',
      `hypothesis: n/a\ntargets: [ { name: w, process: { pid: ${worker.pid} } } ]\nprobes:\n  - { name: api, type: http, http: { url: "http://no-such-host.invalid/health" } }\nsteadyState: { probes: [ api ] }\nmethod:\n  - { fault: process.pause, selector: { names: [ w ] }, duration: 1s }`,
    );
    expectOneLineError(
      await runCli(['run', file], { home: tempHome() }),
      /probe URL http:\/\/no-such-host.invalid\/health: host "no-such-host.invalid" does not resolve/,
    );
    expect(processState(worker.pid as number)).not.toBe('T');
  });

  it('a missing file, a wrong flag, a bad seed', async () => {
    const home = tempHome();
    expectOneLineError(await runCli(['run', '/nonexistent/x.yaml'], { home }), /\/nonexistent\/x.yaml: no such file; check the path/);
    expectOneLineError(await runCli(['run', '--sed', '3', 'x.yaml'], { home }), /unknown option '--sed'/);
    expectOneLineError(await runCli(['run', '--seed', 'abc', 'x.yaml'], { home }), /--seed abc: expected a whole number/);
  });

  it('a state folder that cannot be created', async () => {
    const notAFolder = join(tempDir(), 'a-file');
    writeFileSync(notAFolder, '');
    expectOneLineError(
      await runCli(['runs'], { home: join(notAFolder, 'state') }),
      /cannot create the state folder .*a-file\/state: .*; set FAULTLINE_HOME to a writable folder/,
    );
  });

  it('a file without any experiment', async () => {
    const file = join(tempDir(), 'only-project.yaml');
    writeFileSync(file, 'apiVersion: faultline.dev/v1\nkind: Project\nspec: { targets: [] }\n');
    expectOneLineError(await runCli(['run', file], { home: tempHome() }), /holds no Experiment document; nothing to run/);
  });
});
