/**
 * Game days started from the daemon (POST /api/v1/gamedays), over real sockets with real processes:
 * the stages run as the daemon's own runs, a gate waits until an operator approves through the API,
 * and POST /api/v1/gamedays/:id/stop reverts the fault going (the paused web server runs again) and
 * records which stages ran. Experiments come in the body or from the stored ones; a file reference, an
 * unknown name or a viewer's token is refused with a clear answer, and every attempt is audited.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../src/server/daemon.js';
import { tempHome } from './support/cli.js';
import { call, makeToken } from './support/daemon.js';
import { killStarted, processState, waitFor } from './support/processes.js';
import { startWebSystem, type WebSystem, writeWebExperiment } from './support/web-experiment.js';

let daemon: Daemon;
let system: WebSystem;
const tokens: Record<string, string> = {};

/** The text of an experiment pausing `what` for `pauseFor`, with a 1s baseline (a loaded machine may be slow). */
function experiment(name: string, pause: 'web' | 'sleeper', pauseFor: string): string {
  const file = writeWebExperiment(system, { name, pause, pauseFor });
  // this machine is shared and may be loaded: the web server is given time, as these tests are not about it
  return readFileSync(file, 'utf8')
    .replace('    recoveryTimeout: 3s\n', '    recoveryTimeout: 3s\n    baseline: 1s\n')
    .replace('timeout: 300ms', 'timeout: 2s')
    .replace('availability: { gte: 0.99 }', 'availability: { gte: 0.5 }');
}

function gameDay(name: string, stages: string): string {
  return `apiVersion: faultline.dev/v1
kind: GameDay
metadata: { name: ${name} }
spec:
  facilitator: ada
  observers: [grace]
  stages:
${stages}`;
}

const api = (method: string, path: string, token: string, options: Parameters<typeof call>[3] = {}) =>
  call(daemon.url, method, path, { token, ...options });

async function gameDayReport(id: string, token = tokens.operator as string) {
  return (await api('GET', `/api/v1/gamedays/${id}`, token)).json;
}

beforeAll(async () => {
  const home = tempHome();
  process.env.FAULTLINE_HOME = home;
  system = await startWebSystem();
  tokens.viewer = await makeToken(home, 'vic', 'viewer');
  tokens.operator = await makeToken(home, 'ada', 'operator');
  tokens.scoped = await makeToken(home, 'sam', 'operator', ['--scope-labels', 'app=other']);
  const { Daemon } = await import('../src/server/daemon.js');
  daemon = await Daemon.start({ port: 0, log: () => {} });
}, 60_000);

afterAll(async () => {
  await daemon?.stop('tests done');
  killStarted();
});

describe('game days started from the daemon', () => {
  it('run their stages as runs of the daemon, and wait at a gate until an operator approves', async () => {
    const body = [
      gameDay(
        'api-drill',
        '    - { name: warm-up, experiments: [ { name: warm-up-pause } ] }\n    - { name: main-event, approval: { timeout: 30s }, experiments: [ { name: main-pause } ] }\n',
      ),
      experiment('warm-up-pause', 'sleeper', '300ms'),
      experiment('main-pause', 'sleeper', '300ms'),
    ].join('---\n');
    expect((await api('POST', '/api/v1/gamedays', tokens.viewer as string, { yaml: body })).status).toBe(403);
    const started = await api('POST', '/api/v1/gamedays', tokens.operator as string, { yaml: body });
    expect(started.status, started.text).toBe(202);
    const { id } = started.json;
    expect(started.json.links.page).toBe(`/gamedays/${id}`);

    await waitFor(async () => (await gameDayReport(id)).status === 'waiting', 30_000, 'the game day to wait at its gate');
    const waiting = await gameDayReport(id);
    expect(waiting.stages.map((s: { status: string }) => s.status)).toEqual(['done', 'waiting']);
    expect(waiting.stages[0].runs.map((r: { experiment: string; verdict: string }) => [r.experiment, r.verdict])).toEqual([
      ['warm-up-pause', 'passed'],
    ]);
    // still waiting a moment later: nothing runs before the approval
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await gameDayReport(id)).stages[1].runs).toEqual([]);

    expect((await api('POST', `/api/v1/gamedays/${id}/approve`, tokens.viewer as string)).status).toBe(403);
    const approved = await api('POST', `/api/v1/gamedays/${id}/approve`, tokens.operator as string);
    expect(approved.status, approved.text).toBe(200);
    await waitFor(async () => (await gameDayReport(id)).status === 'passed', 30_000, 'the game day to pass');
    const done = await gameDayReport(id);
    expect(done.stages[1]).toMatchObject({ status: 'done', approvedBy: 'ada', verdict: 'passed' });
    const [run] = done.stages[1].runs;
    expect(run.experiment).toBe('main-pause');
    // the stage's run is a run of the daemon, with its report
    const stored = await api('GET', `/api/v1/runs/${run.runId}`, tokens.viewer as string);
    expect(stored.json.run).toMatchObject({ experiment: 'main-pause', verdict: 'passed', trigger: 'api', actor: 'ada' });

    const audit = (await api('GET', '/api/v1/audit?action=gameday.', tokens.viewer as string)).json.entries;
    const actions = audit.map((e: { action: string; outcome: string; actor: string }) => `${e.action} ${e.outcome} ${e.actor}`);
    expect(actions).toContain('gameday.start ok ada');
    expect(actions).toContain('gameday.start denied vic');
    expect(actions).toContain('gameday.approve ok ada');
  }, 60_000);

  it('stop: the fault going is reverted, the rest is not run, and the record says which stages ran', async () => {
    const stored = await api('POST', '/api/v1/experiments', tokens.operator as string, { yaml: experiment('freeze-web', 'web', '20s') });
    expect(stored.status, stored.text).toBe(201);
    const body = [
      gameDay(
        'stopped-drill',
        '    - { name: warm-up, experiments: [ { name: quick-pause } ] }\n    - { name: freeze, experiments: [ { name: freeze-web } ] }\n    - { name: never, experiments: [ { name: last-pause } ] }\n',
      ),
      experiment('quick-pause', 'sleeper', '200ms'),
      experiment('last-pause', 'sleeper', '200ms'),
    ].join('---\n');
    const started = await api('POST', '/api/v1/gamedays', tokens.operator as string, { yaml: body });
    expect(started.status, started.text).toBe(202);
    const { id } = started.json;
    // the web server is paused by stage 2's run, listed while it goes
    await waitFor(() => processState(system.serverPid) === 'T', 30_000, 'the web server to be paused');
    const going = await gameDayReport(id);
    expect(going.stages[1].status).toBe('running');
    expect(going.stages[1].runs[0]).toMatchObject({ experiment: 'freeze-web', verdict: 'running' });

    // a token whose scope does not cover the experiments may not stop another's game day
    const outside = await api('POST', `/api/v1/gamedays/${id}/stop`, tokens.scoped as string);
    expect(outside.status, outside.text).toBe(403);
    const stop = await api('POST', `/api/v1/gamedays/${id}/stop`, tokens.operator as string);
    expect(stop.status, stop.text).toBe(202);
    await waitFor(async () => (await gameDayReport(id)).status === 'interrupted', 20_000, 'the game day to end interrupted');
    expect(processState(system.serverPid)).not.toBe('T');
    const ended = await gameDayReport(id);
    expect(ended.stages.map((s: { status: string }) => s.status)).toEqual(['done', 'interrupted', 'pending']);
    expect(ended.stages[1].runs[0].verdict).toBe('interrupted');
    expect(ended.reason).toMatch(/interrupted during stage 2 \(freeze\); every fault was reverted/);
    const again = await api('POST', `/api/v1/gamedays/${id}/stop`, tokens.operator as string);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/has ended \(interrupted\)/);
    const audit = (await api('GET', '/api/v1/audit?action=gameday.stop', tokens.viewer as string)).json.entries;
    expect(audit.map((e: { outcome: string; actor: string }) => `${e.outcome} ${e.actor}`)).toEqual(
      expect.arrayContaining(['ok ada', 'denied sam', 'invalid ada']),
    );
  }, 60_000);

  it('refuses a file reference, an unknown experiment and a body without one GameDay, with located answers', async () => {
    const byFile = await api('POST', '/api/v1/gamedays', tokens.operator as string, {
      yaml: gameDay('by-file', '    - { name: one, experiments: [ /etc/passwd ] }\n'),
    });
    expect(byFile.status).toBe(422);
    expect(byFile.json.error.details[0]).toMatchObject({ line: 8 });
    expect(byFile.json.error.details[0].message).toMatch(/names its experiments, \{ name: NAME \}.*the daemon reads no files/);
    const unknown = await api('POST', '/api/v1/gamedays', tokens.operator as string, {
      yaml: gameDay('unknown', '    - { name: one, experiments: [ { name: no-such-experiment } ] }\n'),
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.details[0]).toMatchObject({ path: 'spec.stages.0.experiments.0' });
    expect(unknown.json.error.details[0].message).toMatch(/no experiment named no-such-experiment: store it first/);
    const none = await api('POST', '/api/v1/gamedays', tokens.operator as string, { yaml: experiment('lonely', 'sleeper', '100ms') });
    expect(none.status).toBe(400);
    expect(none.json.error.message).toMatch(/must hold one GameDay document/);
    expect((await api('POST', '/api/v1/gamedays/gd-nothing/stop', tokens.operator as string)).status).toBe(404);
  });
});
