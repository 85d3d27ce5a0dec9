/**
 * `faultline serve` as a real process: SIGTERM stops scheduling, reverts every run and exits 0; a
 * restart neither loses nor doubles an occurrence of a per-second schedule; kill -9 during a run leaves
 * a fault that the next start reverts from the journal, and the dead run is ended.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDaemonStore } from '../src/store/sqlite-daemon-store.js';
import { tempDir, tempHome } from './support/cli.js';
import { call, killDaemons, makeToken, pauseExperiment, startDaemon } from './support/daemon.js';
import { guardianOf } from './support/guardian.js';
import { killStarted, processState, startSleeper, waitFor } from './support/processes.js';

afterEach(async () => {
  await killDaemons();
  killStarted();
});

function applyFile(text: string): string {
  const file = join(tempDir(), 'apply.yaml');
  writeFileSync(file, text);
  return file;
}

async function storeOf(home: string) {
  return new SqliteDaemonStore(join(home, 'runs.db'));
}

describe('faultline serve', () => {
  it('on SIGTERM stops its runs (every fault reverted), stores them, and exits 0', async () => {
    const home = tempHome();
    const worker = startSleeper('daemon-sigterm').pid as number;
    const token = await makeToken(home, 'olga', 'operator', ['--capability', 'exec']);
    const daemon = await startDaemon(home, ['--apply', applyFile(pauseExperiment('pause-long', worker, '60s'))]);
    expect(daemon.output()).toMatch(/applied .*apply.yaml: 1 experiment\(s\), 0 schedule\(s\)/);
    const { runId } = (await call(daemon.url, 'POST', '/api/v1/runs', { token, json: { experiment: 'pause-long' } })).json;
    await waitFor(() => processState(worker) === 'T', 10_000, 'the worker to be paused');
    const exit = await daemon.stop('SIGTERM');
    expect(exit.code, daemon.output()).toBe(0);
    expect(processState(worker)).not.toBe('T');
    expect(daemon.output()).toMatch(/stopping 1 run\(s\); each reverts its faults/);
    expect(daemon.output()).toMatch(/\nfaultline serve: .*stopped|stopped\n/);
    const store = await storeOf(home);
    expect(await store.getRun(runId)).toMatchObject({ verdict: 'interrupted' });
    await store.close();
  });

  it('across restarts, decides every occurrence of a per-second schedule once: none lost, none doubled', async () => {
    const home = tempHome();
    const worker = startSleeper('daemon-restart').pid as number;
    const file = applyFile(`${pauseExperiment('blink', worker, '200ms')}---
apiVersion: faultline.dev/v1
kind: Schedule
metadata: { name: every-2s }
spec:
  schedule: "*/2 * * * * *"
  experiment: blink
  startingDeadline: 10s
`);
    const first = await startDaemon(home, ['--apply', file]);
    const store = await storeOf(home);
    const started = async () => (await store.listOccurrences('every-2s', 1000)).filter((o) => o.outcome === 'started').length;
    await waitFor(async () => (await started()) >= 3, 20_000, 'three scheduled runs');
    expect((await first.stop('SIGTERM')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 4500)); // two or three occurrences pass with no daemon
    const second = await startDaemon(home); // no --apply: the schedule and its last occurrence come from the store
    const before = await started();
    await waitFor(async () => (await started()) >= before + 3, 20_000, 'three more scheduled runs');
    expect((await second.stop('SIGTERM')).code).toBe(0);
    expect(second.output()).toMatch(/missed while no daemon was running; at most one missed occurrence runs after a restart/);

    const occurrences = (await store.listOccurrences('every-2s', 1000)).reverse();
    const runs = await store.listRuns({ schedule: 'every-2s', limit: 1000 });
    // none doubled: one run per occurrence at most, and every started occurrence has its run
    const times = runs.map((r) => r.scheduledFor);
    expect(new Set(times).size).toBe(times.length);
    for (const o of occurrences.filter((x) => x.outcome === 'started'))
      expect(runs.find((r) => r.id === o.runId)?.scheduledFor).toBe(o.scheduledFor);
    // none lost: every 2-second tick from the first to the last is decided, or inside a recorded missed span
    const spans = occurrences
      .filter((o) => o.outcome === 'missed')
      .map((o) => {
        const m = /from (\S+) to (\S+) missed/.exec(o.detail);
        return m ? [Date.parse(m[1] as string), Date.parse(m[2] as string)] : [Date.parse(o.scheduledFor), Date.parse(o.scheduledFor)];
      });
    const decided = new Set(occurrences.map((o) => Date.parse(o.scheduledFor)));
    const firstAt = Date.parse(occurrences[0]?.scheduledFor as string);
    const lastAt = Date.parse(occurrences.at(-1)?.scheduledFor as string);
    for (let t = firstAt; t <= lastAt; t += 2000) {
      const covered = decided.has(t) || spans.some(([a, b]) => t >= (a as number) && t <= (b as number));
      expect(covered, `occurrence ${new Date(t).toISOString()} was neither decided nor recorded as missed`).toBe(true);
    }
    expect(occurrences.every((o) => o.outcome !== 'pending')).toBe(true);
    expect(runs.every((r) => r.verdict !== null)).toBe(true);
    expect(processState(worker)).not.toBe('T');
    await store.close();
  });

  it('after kill -9 during a run, the next start reverts the fault from the journal and ends the dead run', async () => {
    const home = tempHome();
    const worker = startSleeper('daemon-kill9').pid as number;
    const token = await makeToken(home, 'olga', 'operator', ['--capability', 'exec']);
    const first = await startDaemon(home, ['--apply', applyFile(pauseExperiment('pause-long', worker, '60s'))]);
    const { runId } = (await call(first.url, 'POST', '/api/v1/runs', { token, json: { experiment: 'pause-long' } })).json;
    await waitFor(() => processState(worker) === 'T', 10_000, 'the worker to be paused');
    // the daemon and its guardian die together (a lost host): nobody reverts the fault
    process.kill(guardianOf(home) as number, 'SIGKILL');
    await first.stop('SIGKILL');
    expect(processState(worker)).toBe('T'); // nobody reverted it: the daemon died
    const second = await startDaemon(home);
    expect(processState(worker)).not.toBe('T');
    expect(second.output()).toMatch(/recovery: reverted process.pause on worker/);
    expect(second.output()).toMatch(new RegExp(`ended 1 run\\(s\\) of a daemon that died: ${runId}`));
    const run = (await call(second.url, 'GET', `/api/v1/runs/${runId}`, { token })).json.run;
    expect(run).toMatchObject({ verdict: 'error', reason: expect.stringMatching(/daemon running it stopped before the run ended/) });
    expect((await second.stop()).code).toBe(0);
  });

  it('refuses to start on a bad option, a busy port or a broken --apply file, naming the problem', async () => {
    const home = tempHome();
    const busy = await startDaemon(home);
    const port = new URL(busy.url).port;
    const { runCli } = await import('./support/cli.js');
    const taken = await runCli(['serve', '--listen', `127.0.0.1:${port}`], { home: tempHome() });
    expect(taken.code).toBe(3);
    expect(taken.stderr).toMatch(/cannot listen on 127.0.0.1:\d+: the address is in use/);
    const broken = applyFile(
      'apiVersion: faultline.dev/v1\nkind: Schedule\nmetadata: { name: x }\nspec: { schedule: "every day", experiment: y }\n',
    );
    const bad = await runCli(['serve', '--listen', '127.0.0.1:0', '--apply', broken], { home: tempHome() });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/apply.yaml:4:19: spec.schedule: invalid cron "every day"/);
    const store = await runCli(['serve', '--store', 'mysql://x'], { home: tempHome() });
    expect(store.stderr).toMatch(/--store "mysql:\/\/x": expected sqlite, sqlite:PATH or postgres:\/\//);
    expect((await busy.stop()).code).toBe(0);
  });
});
