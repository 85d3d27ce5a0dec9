/**
 * Game days end to end, through the real CLI and a real daemon on one $FAULTLINE_HOME: a game day waits at
 * its approval gate until a person approves through the API (a viewer's token is refused), announces each
 * step to Slack, and its report holds the findings and action items added afterwards (API and CLI), with
 * each run's numbers as in the run's own report. A gate that times out aborts the rest; an interrupted game
 * day resumes without repeating a finished stage; a runner killed while a fault is active leaves nothing
 * behind after `faultline recover`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempHome, waitForOutput } from './support/cli.js';
import { call, type DaemonProcess, killDaemons, makeToken, startDaemon } from './support/daemon.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { killRunnerAndGuardian } from './support/guardian.js';
import { killStarted, processState, waitFor } from './support/processes.js';
import { startWebSystem, type WebSystem, writeWebExperiment } from './support/web-experiment.js';

let system: WebSystem;

/**
 * The web experiment with a longer baseline: on a loaded machine three 100ms probe intervals may see no sample.
 * The pauses last 1s: a run needs 90% of its chaos window covered by samples, and in a 500ms window one
 * 300ms scheduling delay of a loaded CI machine is enough to end the stage `error` before the gate.
 */
function writeExperiment(options: Parameters<typeof writeWebExperiment>[1]): void {
  const file = writeWebExperiment(system, options);
  writeFileSync(file, readFileSync(file, 'utf8').replace('    recoveryTimeout: 3s\n', '    recoveryTimeout: 3s\n    baseline: 1s\n'));
}
let slack: FakeSlack;

beforeAll(async () => {
  system = await startWebSystem();
  slack = await startFakeSlack();
  writeExperiment({ name: 'warm-up-pause', pause: 'sleeper', pauseFor: '1s' });
  writeExperiment({ name: 'main-pause', pause: 'sleeper', pauseFor: '1s' });
  writeExperiment({ name: 'freeze-web', pause: 'web', pauseFor: '20s' });
}, 30_000);

afterAll(async () => {
  await killDaemons();
  killStarted();
  await slack?.close();
});

function writeGameDay(name: string, stages: string, announce = ''): string {
  const file = join(system.dir, `${name}.gameday.yaml`);
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: GameDay
metadata: { name: ${name} }
spec:
  facilitator: ada
  observers: [grace]
${announce}  stages:
${stages}`,
  );
  return file;
}

const TWO_STAGES = `    - { name: warm-up, experiments: [warm-up-pause.yaml] }
    - { name: main-event, approval: { timeout: 30s }, experiments: [main-pause.yaml] }
`;

const idOf = (output: string) => /\((gd-[0-9a-zA-Z-]+)\)/.exec(output)?.[1] as string;

describe('a game day with an approval gate', () => {
  let daemon: DaemonProcess;
  const home = tempHome();
  let operatorToken = '';
  let viewerToken = '';
  let id = '';

  beforeAll(async () => {
    operatorToken = await makeToken(home, 'olga', 'operator');
    viewerToken = await makeToken(home, 'victor', 'viewer');
    daemon = await startDaemon(home);
  }, 30_000);

  it('waits at the gate until approved through the API, announcing each step', async () => {
    const file = writeGameDay('q3-drill', TWO_STAGES, '  announce: { before: 200ms }\n');
    const run = startCli(['gameday', 'run', file, '--poll', '200ms', '--notify', 'slack', '--report-dir', join(system.dir, 'reports')], {
      home,
      env: { SLACK_WEBHOOK_URL: slack.webhookUrl },
    });
    await waitForOutput(run, /waits for approval/, 30_000, 'the gate');
    id = idOf(run.output());
    expect(id).toMatch(/^gd-/);

    // still waiting a while later: the second stage has not run
    await new Promise((r) => setTimeout(r, 1500));
    const waiting = await call(daemon.url, 'GET', `/api/v1/gamedays/${id}`, { token: viewerToken });
    expect(waiting.status).toBe(200);
    const before = waiting.json as { status: string; stages: { status: string; runs: unknown[] }[] };
    expect(before.status).toBe('waiting');
    expect(before.stages.map((s) => s.status)).toEqual(['done', 'waiting']);
    expect(before.stages[1]?.runs).toEqual([]);

    // a viewer may not approve: through the CLI, one line and exit 3
    const refused = await runCli(['approve', id, '--server', daemon.url], { home, env: { FAULTLINE_TOKEN: viewerToken } });
    expect(refused.code).toBe(3);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/operator role/);

    const approved = await call(daemon.url, 'POST', `/api/v1/gamedays/${id}/approve`, { token: operatorToken, json: {} });
    expect(approved.status).toBe(200);
    const done = await run.done;
    expect(done.code, run.output()).toBe(0);
    expect(done.stdout).toMatch(/approved by olga/);
    expect(done.stdout).toMatch(/PASSED: all 2 stage\(s\) passed/);

    const texts = slack.messages.map((m) => m.text ?? '');
    const mine = texts.filter((t) => t.includes('q3-drill'));
    expect(mine.some((t) => /starts in 200ms; facilitator ada, observers grace/.test(t))).toBe(true);
    expect(mine.some((t) => /stage 2 \(main-event\) waits for approval/.test(t))).toBe(true);
    expect(mine.some((t) => /stage 1 \(warm-up\) starts: warm-up-pause/.test(t))).toBe(true);
    expect(mine.some((t) => /ended PASSED/.test(t))).toBe(true);
  }, 60_000);

  it('keeps findings and action items added afterwards (API and CLI), audited, in every report format', async () => {
    const finding = await call(daemon.url, 'POST', `/api/v1/gamedays/${id}/findings`, {
      token: operatorToken,
      json: { text: 'The fallback alert fired 40s late', severity: 'high' },
    });
    expect(finding.status).toBe(201);
    const viewerFinding = await call(daemon.url, 'POST', `/api/v1/gamedays/${id}/findings`, { token: viewerToken, json: { text: 'x' } });
    expect(viewerFinding.status).toBe(403);
    const action = await runCli(['gameday', 'action', id, 'Lower the alert threshold', '--owner', 'team-payments', '--due', '2026-12-31'], {
      home,
    });
    expect(action.code, action.stderr).toBe(0);

    const json = await runCli(['gameday', 'report', id, '--format', 'json'], { home });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as {
      status: string;
      stages: {
        name: string;
        approvedBy: string | null;
        runs: { runId: string; experiment: string; verdict: string; mttdMs: number | null; availability: number | null }[];
      }[];
      findings: { text: string; severity: string; author: string }[];
      actionItems: { text: string; owner: string; due: string }[];
      timeline: { event: string }[];
    };
    expect(report.status).toBe('passed');
    expect(report.stages.map((s) => [s.name, s.approvedBy])).toEqual([
      ['warm-up', null],
      ['main-event', 'olga'],
    ]);
    expect(report.findings).toEqual([
      expect.objectContaining({ text: 'The fallback alert fired 40s late', severity: 'high', author: 'olga' }),
    ]);
    expect(report.actionItems).toEqual([
      expect.objectContaining({ text: 'Lower the alert threshold', owner: 'team-payments', due: '2026-12-31' }),
    ]);
    expect(report.timeline.map((e) => e.event)).toEqual(
      expect.arrayContaining(['approval-requested', 'approved', 'finding', 'action-item']),
    );

    // each run's numbers are its own report's
    for (const stage of report.stages) {
      const [line] = stage.runs;
      expect(line?.verdict).toBe('passed');
      const own = JSON.parse((await runCli(['report', line?.runId as string, '--format', 'json'], { home })).stdout) as {
        experiment: { name: string };
        measurements: { mttdMs: number | null; availability: number | null };
      };
      expect(line?.experiment).toBe(own.experiment.name);
      expect(line?.availability).toBe(own.measurements.availability);
      expect(line?.mttdMs).toBe(own.measurements.mttdMs);
    }

    const md = await runCli(['gameday', 'report', id, '--format', 'md'], { home });
    expect(md.stdout).toMatch(/\*\*high\*\*: The fallback alert fired 40s late/);
    expect(md.stdout).toMatch(/Lower the alert threshold: owner team-payments, due 2026-12-31/);
    const html = await call(daemon.url, 'GET', `/api/v1/gamedays/${id}?format=html`, { token: viewerToken });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.text).toContain('The fallback alert fired 40s late');

    const audit = await call(daemon.url, 'GET', '/api/v1/audit?action=gameday', { token: await makeToken(home, 'ann', 'admin') });
    const actions = (audit.json as { entries: { action: string; actor: string; outcome: string }[] }).entries.map(
      (e) => `${e.action} ${e.outcome}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['gameday.approve ok', 'gameday.finding ok', 'gameday.finding denied', 'gameday.action ok']),
    );
  }, 60_000);

  it('aborts the rest when the approval does not come in time', async () => {
    const file = writeGameDay('unapproved', TWO_STAGES.replace('timeout: 30s', 'timeout: 1s'));
    const result = await runCli(['gameday', 'run', file, '--poll', '100ms'], { home });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stdout).toMatch(/ABORTED: stage main-event was not approved within 1s; the rest was not run/);
    const report = JSON.parse((await runCli(['gameday', 'report', idOf(result.stdout), '--format', 'json'], { home })).stdout) as {
      stages: { status: string; runs: unknown[] }[];
    };
    expect(report.stages.map((s) => [s.status, s.runs.length])).toEqual([
      ['done', 1],
      ['aborted', 0],
    ]);
  }, 60_000);
});

describe('interruption and resume', () => {
  const home = tempHome();

  it('resumes an interrupted game day without repeating a finished stage', async () => {
    const file = writeGameDay('resumable', TWO_STAGES);
    const run = startCli(['gameday', 'run', file, '--poll', '100ms'], { home });
    await waitForOutput(run, /waits for approval/, 30_000, 'the gate');
    run.child.kill('SIGINT');
    const interrupted = await run.done;
    expect(interrupted.code).toBe(130);
    const id = idOf(interrupted.stdout);
    expect(interrupted.stdout).toMatch(new RegExp(`--resume ${id}`));

    // approve ahead of time, from the CLI: the resumed game day goes straight through
    const approve = await runCli(['approve', id, '--stage', '2'], { home });
    expect(approve.code, approve.stderr).toBe(0);
    const resumed = await runCli(['gameday', 'run', file, '--resume', id, '--poll', '100ms'], { home });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/stage 1 \(warm-up\) already ran \(passed\); not repeated/);
    const runs = await runCli(['runs'], { home });
    expect(runs.stdout.match(/warm-up-pause/g)).toHaveLength(1);
    expect(runs.stdout.match(/main-pause/g)).toHaveLength(1);

    const again = await runCli(['gameday', 'run', file, '--resume', id], { home });
    expect(again.code).toBe(3);
    expect(again.stderr.trim()).toMatch(/has ended \(passed\); start a new one without --resume$/);
  }, 60_000);

  it('a runner killed with its guardian during a stage leaves no fault after `faultline recover`, and the stage is not recorded as done', async () => {
    const file = writeGameDay('killed', '    - { name: freeze, experiments: [freeze-web.yaml] }\n');
    const run = startCli(['gameday', 'run', file, '--poll', '100ms'], { home });
    await waitFor(
      () => processState(system.serverPid) === 'T',
      20_000,
      () => `the web server to be paused (output: ${run.output()})`,
    );
    // the guardian dies too (a lost host): otherwise it would revert the fault by itself within a second
    await killRunnerAndGuardian(run, home);
    expect(processState(system.serverPid)).toBe('T');
    const recover = await runCli(['recover'], { home });
    expect(recover.code, recover.stderr).toBe(0);
    expect(processState(system.serverPid)).not.toBe('T');

    const id = idOf(run.output());
    const list = await runCli(['gameday', 'list'], { home });
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+killed\\s+running`));
    const report = JSON.parse((await runCli(['gameday', 'report', id, '--format', 'json'], { home })).stdout) as {
      stages: { status: string }[];
    };
    expect(report.stages[0]?.status).toBe('running');
  }, 60_000);
});

describe('bad game days', () => {
  const home = tempHome();

  it('rejects a cycle of stages, a missing file and an experiment named twice: located lines, exit 3, nothing run', async () => {
    const file = writeGameDay(
      'broken',
      `    - { name: one, experiments: [warm-up-pause.yaml], after: [two] }
    - { name: two, experiments: [nope.yaml, warm-up-pause.yaml], after: [one] }
`,
    );
    const result = await runCli(['gameday', 'run', file], { home });
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/broken\.gameday\.yaml:\d+:\d+: spec\.stages\[0\]\.after: the stages form a cycle: one -> two -> one/),
      expect.stringMatching(/broken\.gameday\.yaml:\d+:\d+: spec\.stages\[1\]\.experiments\[0\](\.file)?: no such file nope\.yaml/),
      expect.stringMatching(
        /broken\.gameday\.yaml:\d+:\d+: spec\.stages\[1\]\.experiments\[1\]: experiment "warm-up-pause" is named twice/,
      ),
    ]);
    expect(result.stderr).not.toMatch(/at .*\.js/);
    expect((await runCli(['runs'], { home })).stdout).not.toMatch(/warm-up-pause/);
    expect((await runCli(['gameday', 'list'], { home })).stdout).toMatch(/no game day has run yet/);
  });

  it('refuses an approval of nothing: one line, exit 3', async () => {
    const result = await runCli(['approve', 'gd-nope'], { home });
    expect(result.code).toBe(3);
    expect(result.stderr.trim()).toBe('faultline: no game-day run gd-nope; list them with `faultline gameday list`');
  });
});
