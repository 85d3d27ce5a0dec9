/**
 * stress.cpu, stress.memory, stress.io and disk.fill on this host, measured from /proc: the CPU a `load: 50`
 * worker uses, the resident memory of `size: 256Mi`, the bytes stress.io writes; every worker and file gone
 * after the run, and after `faultline recover` when the runner was SIGKILLed. Short and small on purpose:
 * the machine has 2 cores that other tests share.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listProcesses } from '../src/util/processes.js';
import { ROOT, runCli, startCli, tempDir, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { expectGuardianReverts, killRunnerAndGuardian } from './support/guardian.js';
import { isGone, killStarted, startSleeper, waitFor } from './support/processes.js';

afterEach(() => killStarted());

const WORKER_SCRIPT = join(ROOT, 'dist', 'faults', 'stress', 'worker.js');

/** Live (not zombie) processes whose command line contains `text`. */
function processesWith(text: string): number[] {
  return listProcesses()
    .filter((p) => p.state !== 'Z' && p.command.includes(text))
    .map((p) => p.pid);
}

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime in clock ticks (100 per second). */
function cpuTicks(pid: number): number {
  const fields = statFields(pid);
  return Number(fields[11]) + Number(fields[12]);
}

function vmRssBytes(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}

function writeBytes(pid: number): number {
  return Number(/^write_bytes: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
}

/** An experiment with one target (a sleeper) and the given method, indented for writeExperiment. */
function stressExperiment(dir: string, name: string, targetPid: number, method: string): string {
  return writeExperiment(
    name,
    `
hypothesis: The host survives the pressure.
targets:
  - name: app
    process: { pid: ${targetPid} }
method:
${method
  .trim()
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`,
    dir,
  );
}

/** The built-in workers the run started (its children), once there are `count` of them. */
async function workersOf(runPid: number, kind: string, count: number): Promise<number[]> {
  let pids: number[] = [];
  await waitFor(
    () => {
      pids = listProcesses()
        .filter((p) => p.ppid === runPid && p.state !== 'Z' && p.command.includes(`faultline-stress-worker ${kind}`))
        .map((p) => p.pid);
      return pids.length === count;
    },
    15_000,
    `${count} ${kind} worker(s)`,
  );
  return pids;
}

describe('stress.cpu', () => {
  it('uses 50% ± 10 points of one CPU with load: 50 (utime + stime over 2 s), and its worker is gone after the run', async () => {
    const target = startSleeper('stress-cpu-target');
    const file = stressExperiment(
      tempDir(),
      'cpu-half',
      target.pid as number,
      '- { fault: stress.cpu, selector: { names: [ app ] }, params: { workers: 1, load: 50 }, duration: 5s }',
    );
    const run = startCli(['run', file], { home: tempHome() });
    const [worker] = await workersOf(run.child.pid as number, 'cpu', 1);
    await new Promise((r) => setTimeout(r, 500)); // past the worker's start-up
    const before = cpuTicks(worker as number);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    const percent = ((cpuTicks(worker as number) - before) / ((performance.now() - t0) / 1000) / 100) * 100;
    console.log(`stress.cpu load 50: measured ${percent.toFixed(1)}% of one CPU`);
    expect(percent).toBeGreaterThanOrEqual(40);
    expect(percent).toBeLessThanOrEqual(60);
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect(isGone(worker as number)).toBe(true);
  });

  it('runs stress-ng with engine: stress-ng, and kills it (and the workers it forked) on revert', async () => {
    const target = startSleeper('stress-ng-target');
    const file = stressExperiment(
      tempDir(),
      'cpu-stress-ng',
      target.pid as number,
      '- { fault: stress.cpu, selector: { names: [ app ] }, params: { engine: stress-ng, workers: 1, load: 30 }, duration: 3s }',
    );
    const run = startCli(['run', file], { home: tempHome() });
    let group: number[] = [];
    await waitFor(
      () => {
        const leader = listProcesses().find((p) => p.ppid === run.child.pid && p.command.startsWith('/usr/bin/stress-ng --cpu 1'));
        if (!leader) return false;
        group = listProcesses()
          .filter((p) => p.state !== 'Z' && statFields(p.pid)[2] === String(leader.pid))
          .map((p) => p.pid);
        return group.length >= 2; // stress-ng and its stress-ng-cpu worker
      },
      10_000,
      'stress-ng and its worker',
    );
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    await waitFor(() => group.every(isGone), 5000, 'every stress-ng process to be gone');
  });

  it('says how to get stress-ng when engine: stress-ng is asked for and it is not installed', async () => {
    const target = startSleeper('stress-ng-missing');
    const file = stressExperiment(
      tempDir(),
      'cpu-no-stress-ng',
      target.pid as number,
      '- { fault: stress.cpu, selector: { names: [ app ] }, params: { engine: stress-ng }, duration: 3s }',
    );
    const result = await runCli(['run', file], { home: tempHome(), env: { PATH: '/nonexistent' } });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      'engine: stress-ng needs stress-ng, which is not installed; install it (Debian: apt-get install stress-ng) or use engine: builtin',
    );
  });
});

describe('stress.memory', () => {
  it('holds 256Mi resident (the VmRSS of its 2 workers together, within 10%), and frees it after the run', async () => {
    const target = startSleeper('stress-memory-target');
    const file = stressExperiment(
      tempDir(),
      'memory-256',
      target.pid as number,
      '- { fault: stress.memory, selector: { names: [ app ] }, params: { workers: 2, size: 256Mi }, duration: 4s }',
    );
    const run = startCli(['run', file], { home: tempHome() });
    const workers = await workersOf(run.child.pid as number, 'memory', 2);
    await waitFor(() => workers.every((w) => vmRssBytes(w) > 100 * 2 ** 20), 10_000, 'memory resident');
    await new Promise((r) => setTimeout(r, 500));
    const total = workers.reduce((sum, w) => sum + vmRssBytes(w), 0);
    console.log(`stress.memory size 256Mi: measured VmRSS ${(total / 2 ** 20).toFixed(1)}Mi over 2 workers`);
    expect(total).toBeGreaterThanOrEqual(256 * 2 ** 20 * 0.9);
    expect(total).toBeLessThanOrEqual(256 * 2 ** 20 * 1.1);
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect(workers.every(isGone)).toBe(true);
  });

  it('refuses more memory than the host can give, before starting any worker', async () => {
    const target = startSleeper('stress-memory-too-much');
    const file = stressExperiment(
      tempDir(),
      'memory-too-much',
      target.pid as number,
      '- { fault: stress.memory, selector: { names: [ app ] }, params: { size: 64Ti }, duration: 4s }',
    );
    const result = await runCli(['run', file], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(
      /stress.memory: size 64Ti is more than this host can give: \S+ available minus a safety margin of \S+; use a smaller size/,
    );
  });
});

describe('stress.io', () => {
  it('really writes (write_bytes of /proc/PID/io) into a scratch folder under path, removed after the run', async () => {
    const target = startSleeper('stress-io-target');
    const dir = tempDir();
    const scratch = join(dir, 'disk');
    mkdirSync(scratch);
    const file = stressExperiment(
      dir,
      'io-writes',
      target.pid as number,
      `- { fault: stress.io, selector: { names: [ app ] }, params: { path: ${scratch}, blockSize: 256Ki, fileSize: 16Mi }, duration: 4s }`,
    );
    const run = startCli(['run', file], { home: tempHome() });
    const [worker] = await workersOf(run.child.pid as number, 'io', 1);
    const before = writeBytes(worker as number);
    await new Promise((r) => setTimeout(r, 1000));
    const written = writeBytes(worker as number) - before;
    console.log(`stress.io: ${(written / 2 ** 20).toFixed(1)}Mi written to disk in 1 s`);
    expect(written).toBeGreaterThan(1 * 2 ** 20);
    const [folder] = readdirSync(scratch);
    expect(folder).toMatch(/^faultline-io-[0-9a-f]+$/);
    expect(readdirSync(join(scratch, folder as string))).toEqual(['worker-0.dat']);
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect(isGone(worker as number)).toBe(true);
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('disk.fill', () => {
  function fillExperiment(dir: string, name: string, path: string, size: string, duration = '3s'): string {
    return writeExperiment(
      name,
      `
hypothesis: The service survives a fuller disk.
method:
  - { fault: disk.fill, params: { path: ${path}, size: "${size}" }, duration: ${duration} }
`,
      dir,
    );
  }

  it('takes `size` of the file system in one file, removed after the run', async () => {
    const dir = tempDir();
    const scratch = join(dir, 'disk');
    mkdirSync(scratch);
    const run = startCli(['run', fillExperiment(dir, 'fill-size', scratch, '64Mi')], { home: tempHome() });
    await waitFor(
      () => readdirSync(scratch).length === 1 && statSync(join(scratch, readdirSync(scratch)[0] as string)).size === 64 * 2 ** 20,
      10_000,
      'the fill file',
    );
    const [name] = readdirSync(scratch);
    expect(name).toMatch(/^faultline-fill-[0-9a-f]+\.tmp$/);
    expect(statSync(join(scratch, name as string)).blocks * 512).toBeGreaterThanOrEqual(64 * 2 ** 20); // allocated, not sparse
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('takes a percent of the free space', async () => {
    const dir = tempDir();
    const scratch = join(dir, 'disk');
    mkdirSync(scratch);
    const stats = statfsSync(scratch);
    const free = Number(stats.bavail) * Number(stats.bsize);
    const run = startCli(['run', fillExperiment(dir, 'fill-percent', scratch, '0.1%')], { home: tempHome() });
    await waitFor(() => readdirSync(scratch).length === 1, 10_000, 'the fill file');
    await waitFor(() => statSync(join(scratch, readdirSync(scratch)[0] as string)).size > 0, 10_000, 'the file to be filled');
    const size = statSync(join(scratch, readdirSync(scratch)[0] as string)).size;
    expect(Math.abs(size - free * 0.001)).toBeLessThan(free * 0.0002); // other tests write meanwhile
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('refuses a fill larger than the free space minus the safety margin, and writes nothing', async () => {
    const dir = tempDir();
    const scratch = join(dir, 'disk');
    mkdirSync(scratch);
    for (const size of ['64Ti', '100%']) {
      const result = await runCli(['run', fillExperiment(dir, 'fill-too-much', scratch, size)], { home: tempHome() });
      expect(result.code).toBe(3);
      expect(result.stdout).toMatch(
        new RegExp(
          `disk.fill: \\S+ is more than the file system of ${scratch} can give: \\S+ free minus a safety margin of \\S+; use a smaller size`,
        ),
      );
      expect(readdirSync(scratch)).toEqual([]);
    }
  });
});

describe('bad stress params are named at validation', () => {
  it('a load over 100, a size that is not a size, no workers, an unknown engine, a tiny block', async () => {
    const dir = tempDir();
    const home = tempHome();
    const cases: [string, RegExp][] = [
      [
        '{ fault: stress.cpu, selector: { names: [app] }, params: { load: 150 } }',
        /expected a load from 0 to 100 \(percent of one CPU per worker\), got 150/,
      ],
      [
        '{ fault: stress.cpu, selector: { names: [app] }, params: { workers: 0 } }',
        /expected a whole number of workers from 1 to 1024, got 0/,
      ],
      ['{ fault: stress.cpu, selector: { names: [app] }, params: { engine: turbo } }', /expected engine builtin or stress-ng, got "turbo"/],
      [
        '{ fault: stress.memory, selector: { names: [app] }, params: { size: lots } }',
        /expected a size such as 512Mi or 1Gi, or a percentage such as "25%", got "lots"/,
      ],
      [
        '{ fault: stress.memory, selector: { names: [app] }, params: { size: "150%" } }',
        /expected a percentage above 0 and at most 100, got "150%"/,
      ],
      ['{ fault: stress.memory, selector: { names: [app] }, params: {} }', /size: required field is missing/],
      [
        '{ fault: stress.io, selector: { names: [app] }, params: { blockSize: 10 } }',
        /expected a blockSize from 512 bytes to 64Mi, got 10B/,
      ],
      ['{ fault: disk.fill, params: { size: 1Gi } }', /expected path: the folder whose file system to fill/],
    ];
    for (const [step, message] of cases) {
      const file = writeExperiment(
        'bad-stress',
        `hypothesis: h\ntargets: [ { name: app, process: { pid: 1 } } ]\nmethod:\n  - ${step}`,
        dir,
      );
      const result = await runCli(['validate', file], { home });
      expect(result.code, step).toBe(3);
      expect(result.stderr + result.stdout, step).toMatch(message);
    }
  });
});

describe('the built-in worker on its own', () => {
  it('does nothing and exits when its stdin closes before `go` (the runner died before journaling it)', async () => {
    const child = spawn(
      process.execPath,
      [WORKER_SCRIPT, 'faultline-stress-worker', 'cpu', `--deadline=${Date.now() + 60_000}`, '--load=100'],
      {
        stdio: ['pipe', 'ignore', 'ignore'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise((r) => setTimeout(r, 500));
    expect(cpuTicks(child.pid as number)).toBeLessThan(40); // Node's start-up only, no spinning
    child.stdin.end();
    expect(await exited).toBe(0);
  });

  it('stops by itself at the deadline in its arguments and removes its io file', async () => {
    const dir = tempDir();
    const scratch = join(dir, 'faultline-io-0123456789ab');
    mkdirSync(scratch);
    const child = spawn(
      process.execPath,
      [
        WORKER_SCRIPT,
        'faultline-stress-worker',
        'io',
        `--deadline=${Date.now() + 1500}`,
        `--dir=${scratch}`,
        '--block=4096',
        '--file-size=65536',
        '--fsync=0',
        '--index=0',
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdin.write('go\n');
    await waitFor(() => existsSync(join(scratch, 'worker-0.dat')), 5000, 'the io file');
    const started = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(readdirSync(scratch)).toEqual([]);
    rmdirSync(scratch);
  });
});

/** cgroups the test makes as children of its own (so it never escapes the limits it runs under). */
function ownCgroupDir(hierarchy: 'v2' | 'cpu' | 'memory'): string | null {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  const line = lines.find((l) => (hierarchy === 'v2' ? l.startsWith('0::') : l.split(':')[1]?.split(',').includes(hierarchy)));
  if (!line) return null;
  const path = line.split(':').slice(2).join(':');
  const mount = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' - '))
    .find(([left, right]) =>
      hierarchy === 'v2'
        ? right?.startsWith('cgroup2 ')
        : right?.startsWith('cgroup ') && right.split(' ')[2]?.split(',').includes(hierarchy) && left,
    );
  const mountPoint = mount?.[0]?.split(' ')[4];
  return mountPoint ? join(mountPoint, path) : null;
}

const cgroupsWritable = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const dir = ownCgroupDir('v2');
  if (!dir) return false;
  try {
    const probe = join(dir, `faultline-probe-${process.pid}`);
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!cgroupsWritable)('cgroup: target (Linux, root)', () => {
  it("puts the workers in the target's cgroups, where the target's accounting sees the memory", async () => {
    const made: string[] = [];
    const name = `faultline-test-${process.pid}`;
    const target = startSleeper('stress-cgroup-target');
    try {
      for (const hierarchy of ['v2', 'cpu', 'memory'] as const) {
        const own = ownCgroupDir(hierarchy);
        if (!own) continue;
        const dir = join(own, name);
        mkdirSync(dir);
        made.push(dir);
        writeFileSync(join(dir, 'cgroup.procs'), String(target.pid));
      }
      const file = stressExperiment(
        tempDir(),
        'memory-in-cgroup',
        target.pid as number,
        '- { fault: stress.memory, selector: { names: [ app ] }, params: { size: 128Mi, cgroup: target }, duration: 3s }',
      );
      const run = startCli(['run', file], { home: tempHome() });
      const [worker] = await workersOf(run.child.pid as number, 'memory', 1);
      // In a target's cgroup the worker allocates all 128Mi (its own start-up stays charged where it started).
      await waitFor(() => vmRssBytes(worker as number) > 128 * 2 ** 20, 10_000, 'memory resident');
      const targetCgroups = readFileSync(`/proc/${target.pid}/cgroup`, 'utf8');
      expect(readFileSync(`/proc/${worker}/cgroup`, 'utf8')).toBe(targetCgroups);
      expect(targetCgroups).toContain(`/${name}\n`);
      const memoryDir = made.find((d) => d.includes('/memory/'));
      if (memoryDir && existsSync(join(memoryDir, 'memory.usage_in_bytes'))) {
        const usage = () => Number(readFileSync(join(memoryDir, 'memory.usage_in_bytes'), 'utf8'));
        await waitFor(() => usage() >= 128 * 2 ** 20 * 0.9, 5000, "the target's cgroup to account the memory").catch(() => {});
        console.log(`cgroup: target: the target's memory cgroup accounts ${(usage() / 2 ** 20).toFixed(1)}Mi`);
        expect(usage()).toBeGreaterThanOrEqual(128 * 2 ** 20 * 0.9);
        expect(usage()).toBeLessThan(128 * 2 ** 20 * 1.25);
      }
      expect((await run.done).code, run.output()).toBe(0);
      expect(isGone(worker as number)).toBe(true);
    } finally {
      killStarted();
      await waitFor(() => isGone(target.pid as number), 5000, 'the target to exit').catch(() => {});
      for (const dir of made.reverse()) {
        await waitFor(
          () => {
            try {
              rmdirSync(dir);
              return true;
            } catch {
              return false;
            }
          },
          5000,
          `removing ${dir}`,
        ).catch(() => {});
      }
    }
  });
});

/**
 * A runner holding every stress fault at once (cpu, memory, io, the stress-ng engine, disk.fill) on one target,
 * started and seen applied: its home, its scratch folder, the workers it started and the stress-ng process.
 */
async function runnerHoldingEveryStressFault(name: string) {
  const home = tempHome();
  const dir = tempDir();
  const scratch = join(dir, 'disk');
  mkdirSync(scratch);
  const target = startSleeper(`${name}-target`);
  const file = stressExperiment(
    dir,
    name,
    target.pid as number,
    `
- parallel:
    - { fault: stress.cpu, selector: { names: [ app ] }, params: { load: 20 }, duration: 10m }
    - { fault: stress.memory, selector: { names: [ app ] }, params: { size: 64Mi }, duration: 10m }
    - { fault: stress.io, selector: { names: [ app ] }, params: { path: ${scratch}, blockSize: 64Ki, fileSize: 4Mi }, duration: 10m }
    - { fault: stress.cpu, selector: { names: [ app ] }, params: { engine: stress-ng, load: 20 }, duration: 10m }
    - { fault: disk.fill, params: { path: ${scratch}, size: 16Mi }, duration: 10m }
`,
  );
  const run = startCli(['run', file], { home });
  const runPid = run.child.pid as number;
  const workers = [
    ...(await workersOf(runPid, 'cpu', 1)),
    ...(await workersOf(runPid, 'memory', 1)),
    ...(await workersOf(runPid, 'io', 1)),
  ];
  await waitFor(() => listProcesses().some((p) => p.ppid === runPid && p.command.includes('stress-ng --cpu')), 10_000, 'stress-ng');
  const stressNg = listProcesses().find((p) => p.ppid === runPid && p.command.includes('stress-ng --cpu'))?.pid as number;
  await waitFor(() => readdirSync(scratch).length === 2, 10_000, 'the io folder and the fill file');
  await waitFor(() => processesWith('stress-ng-cpu').length > 0, 10_000, 'the stress-ng worker');
  return { home, scratch, run, workers, stressNg };
}

describe('stress faults after the runner is SIGKILLed', () => {
  it('faultline recover kills every worker and removes the io folder and the fill file', async () => {
    const { home, scratch, run, workers, stressNg } = await runnerHoldingEveryStressFault('stress-crash');

    await killRunnerAndGuardian(run, home);
    await new Promise((r) => setTimeout(r, 300));
    expect(workers.filter(isGone)).toEqual([]); // the pressure outlived its runner...
    expect(isGone(stressNg)).toBe(false);

    const recovered = await runCli(['recover'], { home });
    expect(recovered.code, recovered.stdout + recovered.stderr).toBe(0);
    for (const fault of ['stress.cpu', 'stress.memory', 'stress.io', 'disk.fill'])
      expect(recovered.stdout).toMatch(new RegExp(`reverted #\\d+ ${fault}`));
    expect(workers.filter((w) => !isGone(w))).toEqual([]); // ...until recover ended it
    expect(isGone(stressNg)).toBe(true);
    await waitFor(() => processesWith('stress-ng-cpu').length === 0, 5000, 'no stress-ng worker left');
    expect(readdirSync(scratch)).toEqual([]);

    const again = await runCli(['recover'], { home });
    expect(again.stdout).toMatch(/nothing to recover/);
  });

  it('the guardian kills every worker (stress-ng too) and removes the io folder and the fill file within a second, with nobody running recover', async () => {
    const { home, scratch, run, workers, stressNg } = await runnerHoldingEveryStressFault('stress-crash-guardian');
    await expectGuardianReverts(
      run,
      home,
      () => workers.every(isGone) && isGone(stressNg) && processesWith('stress-ng-cpu').length === 0 && readdirSync(scratch).length === 0,
      'the stress workers, stress-ng, the io folder and the fill file',
    );
  });
});
