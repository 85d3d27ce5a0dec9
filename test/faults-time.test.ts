/**
 * time.skew and `faultline wrap` on real processes under faultline's preload library (built by npm run
 * build): the wrapped process answers its own Date.now() on a loopback port, so each test reads the clock
 * it sees. test/clock-runtimes.test.ts runs the same skew in Python, Java, Go and a shell.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, ROOT, runCli, startCli, tempDir, tempHome, waitForOutput } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { expectGuardianReverts, killRunnerAndGuardian } from './support/guardian.js';
import { freePort, isGone, killStarted, startSleeper, waitFor } from './support/processes.js';

/** Answers every connection with its Date.now(); exits after 2 minutes at most. */
const CLOCK_SERVER = `
const net = require('node:net');
net.createServer((c) => c.end(String(Date.now()))).listen(Number(process.argv[1]), '127.0.0.1', () => process.stdout.write('listening\\n'));
setTimeout(() => process.exit(0), 120000);
`;

const wrapped: { child: ReturnType<typeof startCli>['child']; done: Promise<CliResult> }[] = [];

afterEach(async () => {
  for (const w of wrapped.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM'); // forwarded to the clock server
    await w.done;
  }
});

/** Starts the clock server under `faultline wrap`; resolves once it listens. */
async function startWrappedClock(home: string, tag: string): Promise<{ port: number; wrapperPid: number; done: Promise<CliResult> }> {
  const port = await freePort();
  const run = startCli(['wrap', '--', process.execPath, '-e', CLOCK_SERVER, String(port), `--tag=${tag}`], { home });
  wrapped.push(run);
  await waitForOutput(run, 'listening', 10_000, 'the wrapped clock server to listen');
  return { port, wrapperPid: run.child.pid as number, done: run.done };
}

/** Seconds by which the wrapped process's clock is ahead of ours. */
function offsetSeconds(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('end', () => resolve((Number(data) - Date.now()) / 1000));
    socket.on('error', reject);
  });
}

function skewExperiment(dir: string, process: string, params: string, duration = '3s', name = 'skew-clock'): string {
  return writeExperiment(
    name,
    `
hypothesis: The clock of the wrapped process can be moved and moved back.
targets:
  - name: clock
    process: ${process}
method:
  - fault: time.skew
    selector: { names: [ clock ] }
    params: ${params}
    duration: ${duration}
`,
    dir,
  );
}

describe('faultline wrap', () => {
  it('runs the command at the true time, is not matched by a `match` on the command, and cleans up its control file', async () => {
    const home = tempHome();
    const { port, wrapperPid } = await startWrappedClock(home, 'wrap-basic');
    expect(Math.abs(await offsetSeconds(port))).toBeLessThan(1);
    expect(readdirSync(join(home, 'clocks'))).toHaveLength(1);
    // The wrapper renames itself: only the wrapped command matches its own command line.
    const dir = tempDir();
    const dry = await runCli(['run', '--dry-run', skewExperiment(dir, '{ match: "--tag=wrap-basic" }', '{ timeOffset: +1h }')], { home });
    expect(dry.stdout + dry.stderr).not.toContain(`pid ${wrapperPid})`);
    expect(dry.stdout + dry.stderr).toMatch(/move the clock of clock \(pid \d+\) by \+1h/);

    const w = wrapped.pop() as (typeof wrapped)[number];
    w.child.kill('SIGTERM');
    const result = await w.done;
    expect(result.signal).toBe('SIGTERM'); // ended the way the command ended
    expect(readdirSync(join(home, 'clocks'))).toEqual([]);
    expect(readdirSync(join(home, 'io'))).toEqual([]);
  });

  it("exits with the command's exit code", async () => {
    const result = await runCli(['wrap', '--', process.execPath, '-e', 'process.exit(7)'], { home: tempHome() });
    expect(result.code).toBe(7);
  });

  it('names a preload library that is not there, and starts nothing', async () => {
    const marker = join(tempDir(), 'ran');
    const result = await runCli(['wrap', '--', 'touch', marker], {
      home: tempHome(),
      env: { FAULTLINE_PRELOAD: '/nonexistent/libfaultline-preload.so' },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'FAULTLINE_PRELOAD=/nonexistent/libfaultline-preload.so: no such file; point it at libfaultline-preload.so, or unset it',
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('is built at install; without a C compiler the install goes on and says how to get it', () => {
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-native.mjs')], { encoding: 'utf8' });
    expect(built.status).toBe(0);
    expect(built.stdout).toMatch(/faultline: built .*dist\/native\/libfaultline-preload\.so/);
    expect(built.stdout).toMatch(/faultline: built .*dist\/native\/malloc-tuning\.node/); // the proxy's addon, beside it
    const without = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-native.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, CC: 'no-such-compiler' },
    });
    expect(without.status).toBe(0); // the rest of faultline works without it
    expect(without.stderr).toContain(
      'faultline: no C compiler (cc or gcc), so the preload library for faultline wrap (time.skew, io.*) was not built; install one (Debian: apt-get install gcc) and run npm run build',
    );
    expect(without.stderr).toContain("faultline: no C compiler (cc or gcc), so the proxy's allocator tuning was not built");
  });

  it('names a command that does not exist', async () => {
    const result = await runCli(['wrap', '--', 'no-such-command-xyz'], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('faultline wrap: command not found: no-such-command-xyz');
  });
});

describe('time.skew', () => {
  it('moves the clock by +1h, then -30m, and back to the true time after each step', async () => {
    const home = tempHome();
    const { port } = await startWrappedClock(home, 'skew-offsets');
    const dir = tempDir();
    const file = writeExperiment(
      'skew-twice',
      `
hypothesis: The clock moves.
targets:
  - name: clock
    process: { match: "--tag=skew-offsets" }
method:
  - { fault: time.skew, selector: { names: [ clock ] }, params: { timeOffset: +1h }, duration: 2s }
  - pause: 1s
  - { fault: time.skew, selector: { names: [ clock ] }, params: { timeOffset: -30m }, duration: 2s }
`,
      dir,
    );
    const run = startCli(['run', file], { home });
    await waitFor(async () => Math.abs((await offsetSeconds(port)) - 3600) < 1, 10_000, 'the clock to be 1h ahead');
    await waitFor(async () => Math.abs(await offsetSeconds(port)) < 1, 5_000, 'the clock to come back');
    await waitFor(async () => Math.abs((await offsetSeconds(port)) + 1800) < 1, 5_000, 'the clock to be 30m behind');
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect(Math.abs(await offsetSeconds(port))).toBeLessThan(1);
  });

  it('makes the clock drift with rate, from the moment of injection, and stops the drift on revert', async () => {
    const home = tempHome();
    const { port } = await startWrappedClock(home, 'skew-rate');
    await new Promise((r) => setTimeout(r, 1500)); // the process has an age: a naive rate would jump by it
    const run = startCli(['run', skewExperiment(tempDir(), '{ match: "--tag=skew-rate" }', '{ rate: 2 }', '3s')], { home });
    await waitFor(async () => (await offsetSeconds(port)) > 0.2, 10_000, 'the clock to drift');
    const first = await offsetSeconds(port);
    const t0 = Date.now();
    expect(first).toBeLessThan(1); // no jump by the process's age
    await new Promise((r) => setTimeout(r, 1500));
    const drift = (await offsetSeconds(port)) - first;
    const elapsed = (Date.now() - t0) / 1000;
    expect(drift).toBeGreaterThan(elapsed * 0.7); // rate 2: one extra second per second
    expect(drift).toBeLessThan(elapsed * 1.3);
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    const after = await offsetSeconds(port);
    expect(Math.abs(after)).toBeLessThan(0.5);
    await new Promise((r) => setTimeout(r, 1000));
    expect(Math.abs(await offsetSeconds(port))).toBeLessThan(0.5); // and it no longer drifts
  });

  it('moves only the clocks named in clockIds: CLOCK_TAI an hour ahead, the wall clock true', async () => {
    const home = tempHome();
    // prints its CLOCK_TAI minus its CLOCK_REALTIME, and its wall clock, every 100ms (at most 2 minutes)
    const program =
      'import time\nfor _ in range(1200):\n  print(round(time.clock_gettime(time.CLOCK_TAI) - time.time()), int(time.time() * 1000), flush=True)\n  time.sleep(0.1)';
    const w = startCli(['wrap', '--', 'python3', '-c', program], { home });
    wrapped.push(w);
    const last = () => {
      const lines = w.output().trim().split('\n');
      const [tai, wall] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
      return { tai: tai as number, wall: wall as number };
    };
    await waitForOutput(w, '\n', 10_000, 'the first line');
    const before = last().tai; // the kernel's TAI offset (0 or 37 s)
    const experiment = skewExperiment(tempDir(), `{ pid: ${w.child.pid} }`, '{ timeOffset: +1h, clockIds: [ CLOCK_TAI ] }', '2s');
    const run = startCli(['run', experiment], { home });
    await waitFor(() => last().tai - before === 3600, 10_000, 'CLOCK_TAI to be an hour ahead');
    expect(Math.abs(last().wall - Date.now())).toBeLessThan(1000);
    expect((await run.done).code, run.output()).toBe(0);
    await waitFor(() => last().tai === before, 5_000, 'CLOCK_TAI to come back');
  });

  it('finds the wrapped command when the target is the faultline wrap process (a pid file of a supervisor)', async () => {
    const home = tempHome();
    const dir = tempDir();
    const { port, wrapperPid } = await startWrappedClock(home, 'skew-wrapper-pid');
    const pidFile = join(dir, 'wrapper.pid');
    writeFileSync(pidFile, `${wrapperPid}\n`);
    const run = startCli(['run', skewExperiment(dir, `{ pidFile: ${pidFile} }`, '{ timeOffset: +2h }', '2s')], { home });
    await waitFor(async () => Math.abs((await offsetSeconds(port)) - 7200) < 1, 10_000, 'the clock to be 2h ahead');
    expect((await run.done).code).toBe(0);
    expect(Math.abs(await offsetSeconds(port))).toBeLessThan(1);
  });

  it('refuses a process that was not started under faultline wrap', async () => {
    const home = tempHome();
    const sleeper = startSleeper('skew-not-wrapped'); // a plain process, not under faultline wrap
    try {
      const result = await runCli(['run', skewExperiment(tempDir(), `{ pid: ${sleeper.pid} }`, '{ timeOffset: +1h }')], { home });
      expect(result.code).toBe(3);
      expect(result.stdout).toContain(
        'was not started under faultline wrap, so its clock cannot be moved; start it as `faultline wrap -- COMMAND...`',
      );
    } finally {
      killStarted();
    }
  });

  it('names bad params at validation', async () => {
    const dir = tempDir();
    const home = tempHome();
    const cases: [string, RegExp][] = [
      ['{ timeOffset: "+1 hour" }', /expected a time offset such as \+1h, -30m or \+90s, got "\+1 hour"/],
      ['{ rate: 0 }', /expected a rate above 0 and at most 100/],
      ['{}', /time.skew needs timeOffset \(such as \+1h\) or rate \(such as 1.01\), or both/],
      ['{ timeOfset: +1h }', /unknown field "timeOfset" \(did you mean "timeOffset"\?\)/],
      ['{ timeOffset: +1h, clockIds: [ CLOCK_WALL ] }', /expected a clock id \(CLOCK_REALTIME, CLOCK_MONOTONIC, .*\), got "CLOCK_WALL"/],
    ];
    for (const [params, message] of cases) {
      const result = await runCli(['validate', skewExperiment(dir, '{ pid: 1 }', params)], { home });
      expect(result.code).toBe(3);
      expect(result.stderr + result.stdout).toMatch(message);
    }
  });
});

describe('time.skew after the runner is SIGKILLed', () => {
  it('puts the clock back to the true time on faultline recover', async () => {
    const home = tempHome();
    const { port } = await startWrappedClock(home, 'skew-crash');
    const run = startCli(['run', skewExperiment(tempDir(), '{ match: "--tag=skew-crash" }', '{ timeOffset: +1h }', '10m')], { home });
    await waitFor(async () => Math.abs((await offsetSeconds(port)) - 3600) < 1, 10_000, 'the clock to be 1h ahead');
    await killRunnerAndGuardian(run, home);
    expect(Math.abs((await offsetSeconds(port)) - 3600)).toBeLessThan(1); // the skew outlived its runner...

    const recovered = await runCli(['recover'], { home });
    expect(recovered.code, recovered.stdout + recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(/reverted #\d+ time.skew on clock/);
    expect(Math.abs(await offsetSeconds(port))).toBeLessThan(1); // ...until recover put it back

    const w = wrapped.pop() as (typeof wrapped)[number];
    w.child.kill('SIGTERM');
    await w.done;
    expect(isGone(w.child.pid as number)).toBe(true);
  });

  it('the guardian puts the clock back within a second, with nobody running recover', async () => {
    const home = tempHome();
    const { port } = await startWrappedClock(home, 'skew-crash-guardian');
    const run = startCli(['run', skewExperiment(tempDir(), '{ match: "--tag=skew-crash-guardian" }', '{ timeOffset: +1h }', '10m')], {
      home,
    });
    await waitFor(async () => Math.abs((await offsetSeconds(port)) - 3600) < 1, 10_000, 'the clock to be 1h ahead');
    await expectGuardianReverts(run, home, async () => Math.abs(await offsetSeconds(port)) < 1, 'the skewed clock');
    const w = wrapped.pop() as (typeof wrapped)[number];
    w.child.kill('SIGTERM');
    await w.done;
  });
});
