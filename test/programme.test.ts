/**
 * `faultline programme validate|run|status` through the real CLI, on a real web server: a programme runs its
 * experiments once each in order with its default objectives, stops at the halt switch, says when each
 * experiment last ran; bad programmes get located one-line errors, exit 3, and nothing runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from './support/cli.js';
import { killStarted, processState } from './support/processes.js';
import { startWebSystem, type WebSystem, writeWebExperiment } from './support/web-experiment.js';

let system: WebSystem;

/** The web experiment with a longer baseline: on a loaded machine three 100ms probe intervals may see no sample. */
function writeExperiment(options: Parameters<typeof writeWebExperiment>[1]): void {
  const file = writeWebExperiment(system, options);
  writeFileSync(file, readFileSync(file, 'utf8').replace('    recoveryTimeout: 3s\n', '    recoveryTimeout: 3s\n    baseline: 1s\n'));
}

beforeAll(async () => {
  system = await startWebSystem();
  writeExperiment({ name: 'first-pause', pause: 'sleeper', pauseFor: '400ms' });
  writeExperiment({ name: 'second-pause', pause: 'sleeper', pauseFor: '400ms' });
  writeExperiment({ name: 'freeze-the-server', pause: 'web', pauseFor: '2s' });
}, 30_000);

afterAll(() => killStarted());

function writeProgramme(name: string, experiments: string, extra = ''): string {
  const file = join(system.dir, `${name}.programme.yaml`);
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Programme
metadata: { name: ${name} }
spec:
  owner: team-web
${extra}  experiments:
${experiments}`,
  );
  return file;
}

describe('a programme', () => {
  const home = tempHome();
  const file = writeProgramme.bind(null);

  it('validates, runs every experiment once in order, and reports their status', async () => {
    const programme = file(
      'web-resilience',
      `    - { file: first-pause.yaml, cadence: "0 3 * * 1-5" }
    - { name: second-pause, schedule: nightly }
`,
      '  objectives: { availability: { gte: 0.99 } }\n',
    );
    const valid = await runCli(['programme', 'validate', programme], { home });
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/programme web-resilience \(owner team-web\): 2 experiment\(s\): first-pause, second-pause/);
    expect((await runCli(['validate', programme], { home })).stdout).toMatch(/valid .*: programme web-resilience/);

    const never = JSON.parse((await runCli(['programme', 'status', programme, '--json'], { home })).stdout) as {
      experiments: { experiment: string; lastRunAt: string | null; cadence: string | null }[];
    };
    expect(never.experiments.map((e) => [e.experiment, e.lastRunAt, e.cadence])).toEqual([
      ['first-pause', null, '0 3 * * 1-5'],
      ['second-pause', null, 'schedule nightly'],
    ]);

    const dry = await runCli(['programme', 'run', programme, '--dry-run'], { home });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/first-pause \(dry run.*\n[\s\S]*second-pause \(dry run/);
    expect((await runCli(['runs'], { home })).stdout).not.toMatch(/first-pause/);

    const reports = join(system.dir, 'programme-reports');
    const run = await runCli(['programme', 'run', programme, '--report-dir', reports, '--junit', join(reports, 'junit.xml')], { home });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout.indexOf('first-pause:')).toBeLessThan(run.stdout.indexOf('second-pause:'));
    expect(run.stdout).toMatch(/programme web-resilience: 2 of 2 passed/);

    const status = JSON.parse((await runCli(['programme', 'status', programme, '--json'], { home })).stdout) as {
      experiments: { experiment: string; lastRunId: string; verdict: string; availability: number }[];
    };
    for (const line of status.experiments) {
      expect(line.verdict).toBe('passed');
      const own = JSON.parse((await runCli(['report', line.lastRunId, '--format', 'json'], { home })).stdout) as {
        experiment: { name: string };
        measurements: { availability: number };
      };
      expect(own.experiment.name).toBe(line.experiment);
      expect(line.availability).toBe(own.measurements.availability);
    }
    const table = await runCli(['programme', 'status', programme], { home });
    expect(table.stdout).toMatch(/first-pause\s+0 3 \* \* 1-5\s+\S+ \(\S+\)\s+PASSED/);
  }, 120_000);

  it('stops at the halt switch: nothing runs, exit 2', async () => {
    const programme = file('halted', '    - { file: freeze-the-server.yaml }\n');
    expect((await runCli(['halt', '--reason', 'incident 42', '--no-wait'], { home })).code).toBe(0);
    try {
      const run = await runCli(['programme', 'run', programme], { home });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/the halt switch is on .*incident 42.*; 1 experiment\(s\) not run/);
      expect(processState(system.serverPid)).not.toBe('T');
      expect((await runCli(['runs'], { home })).stdout).not.toMatch(/freeze-the-server/);
    } finally {
      await runCli(['unhalt'], { home });
    }
  }, 120_000);
});

describe('bad programmes', () => {
  const home = tempHome();

  it('a missing file, an experiment twice, an unknown objective, a bad cadence: located lines, exit 3, nothing run', async () => {
    const twice = writeProgramme(
      'broken',
      `    - { file: first-pause.yaml, cadence: "99 * * * *" }
    - { file: nope.yaml }
    - { name: first-pause }
    - { name: no-such-experiment }
`,
    );
    const result = await runCli(['programme', 'run', twice], { home });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/broken\.programme\.yaml:7:\d+: spec\.experiments\[0\]\.cadence: invalid cron "99 \* \* \* \*"/),
      expect.stringMatching(/broken\.programme\.yaml:8:\d+: spec\.experiments\[1\]\.file: no such file nope\.yaml/),
      expect.stringMatching(/broken\.programme\.yaml:9:\d+: spec\.experiments\[2\]: experiment "first-pause" is named twice/),
      expect.stringMatching(/broken\.programme\.yaml:10:\d+: spec\.experiments\[3\]\.name: no experiment named "no-such-experiment"/),
    ]);

    const objective = writeProgramme('bad-objective', '    - { file: first-pause.yaml, objectives: { mtdd: { lt: 60s } } }\n');
    const bad = await runCli(['programme', 'validate', objective], { home });
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim()).toMatch(
      /bad-objective\.programme\.yaml:7:\d+: spec\.experiments\[0\]\.objectives\.mtdd: unknown field "mtdd" \(did you mean "mttd"\?\)/,
    );
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);

    const notAProgramme = await runCli(['programme', 'run', join(system.dir, 'first-pause.yaml')], { home });
    expect(notAProgramme.code).toBe(3);
    expect(notAProgramme.stderr.trim()).toMatch(/first-pause\.yaml: holds no Programme document; see docs\/programmes\.md$/);
    expect((await runCli(['runs'], { home })).stdout).not.toMatch(/first-pause/);
  }, 120_000);
});
