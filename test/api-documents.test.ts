/**
 * Experiments and schedules through the API: validated with the same schemas as files (errors at their
 * line and column, as JSON), stored whole or not at all, and every kind of bad input answered with a
 * 4xx and a JSON error body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../src/server/daemon.js';
import { tempHome } from './support/cli.js';
import { call, makeToken, pauseExperiment } from './support/daemon.js';
import { killStarted, startSleeper } from './support/processes.js';

let daemon: Daemon;
let url: string;
let admin: string;
let worker: number;

const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(url, method, path, { token: admin, ...options });

beforeAll(async () => {
  const home = tempHome();
  process.env.FAULTLINE_HOME = home;
  admin = await makeToken(home, 'root', 'admin', ['--capability', 'exec']);
  const { Daemon } = await import('../src/server/daemon.js');
  daemon = await Daemon.start({ port: 0, log: () => {}, maxBodyBytes: 64 * 1024 });
  url = daemon.url;
  worker = startSleeper('documents').pid as number;
});

afterAll(async () => {
  await daemon?.stop('tests done');
  killStarted();
});

const schedule = (name: string, experiment: string, extra = '') => `apiVersion: faultline.dev/v1
kind: Schedule
metadata: { name: ${name} }
spec:
  schedule: "0 3 * * 1-5"
  timeZone: Europe/Paris
  experiment: ${experiment}
${extra}`;

describe('experiments', () => {
  it('creates, lists, reads, replaces and deletes an experiment, keeping the YAML as written', async () => {
    const yaml = `# the payments team's experiment\n${pauseExperiment('pause-worker', worker)}`;
    expect((await api('POST', '/api/v1/experiments', { yaml })).json).toEqual({ experiments: ['pause-worker'] });
    expect((await api('POST', '/api/v1/experiments', { yaml })).status).toBe(409);
    const list = (await api('GET', '/api/v1/experiments')).json.experiments;
    expect(list).toEqual([
      expect.objectContaining({
        name: 'pause-worker',
        hypothesis: 'Pausing the worker does not matter.',
        updatedBy: 'root',
        schedules: [],
      }),
    ]);
    const one = (await api('GET', '/api/v1/experiments/pause-worker')).json;
    expect(one.yaml).toBe(yaml);
    expect(one.method).toEqual([{ kind: 'fault', name: 'process.pause', fault: 'process.pause', mode: 'one', durationMs: 300 }]);
    const replaced = yaml.replace('duration: 300ms', 'duration: 500ms');
    expect((await api('PUT', '/api/v1/experiments/pause-worker', { yaml: replaced })).status).toBe(200);
    expect((await api('GET', '/api/v1/experiments/pause-worker')).json.method[0].durationMs).toBe(500);
    const wrongName = await api('PUT', '/api/v1/experiments/pause-worker', { yaml: pauseExperiment('other', worker) });
    expect(wrongName.status).toBe(400);
    expect(wrongName.json.error.message).toMatch(/one document named pause-worker/);
    expect((await api('PUT', '/api/v1/experiments/nope', { yaml: pauseExperiment('nope', worker) })).status).toBe(404);
    expect((await api('DELETE', '/api/v1/experiments/pause-worker')).status).toBe(204);
    expect((await api('GET', '/api/v1/experiments/pause-worker')).status).toBe(404);
  });

  it('accepts the document as JSON too, or wrapped as {"yaml": ...}', async () => {
    const doc = {
      apiVersion: 'faultline.dev/v1',
      kind: 'Experiment',
      metadata: { name: 'as-json' },
      spec: {
        hypothesis: 'h',
        targets: [{ name: 'w', process: { pid: worker } }],
        method: [{ fault: 'process.pause', selector: { names: ['w'] }, duration: '100ms' }],
      },
    };
    expect((await api('POST', '/api/v1/experiments', { json: doc })).status).toBe(201);
    expect((await api('POST', '/api/v1/experiments', { json: { yaml: pauseExperiment('wrapped', worker) } })).status).toBe(201);
  });

  it('answers a document with errors with 422 and each error at its line and column, storing nothing', async () => {
    const bad = `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: broken }
spec:
  hypothesis: h
  method:
    - { pause: soon }
    - { fault: process.paws, selector: { names: [ w ] } }
`;
    const res = await api('POST', '/api/v1/experiments', { yaml: bad });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('invalid_document');
    expect(res.json.error.details).toEqual([
      { line: 7, column: 16, path: 'spec.method[0].pause', message: 'expected a duration like 30s, got "soon"' },
      expect.objectContaining({
        line: 8,
        column: 16,
        path: 'spec.method[1].fault',
        message: expect.stringMatching(/unknown fault "process.paws" \(did you mean "process.pause"\?\)/),
      }),
    ]);
    expect((await api('GET', '/api/v1/experiments/broken')).status).toBe(404);
    const validate = await api('POST', '/api/v1/validate', { yaml: bad });
    expect(validate.status).toBe(422);
    expect(validate.json.error.details).toHaveLength(2);
    const syntax = await api('POST', '/api/v1/validate', { yaml: 'kind: [' });
    expect(syntax.status).toBe(422);
    expect(syntax.json.error.details[0]).toMatchObject({ line: 1, message: expect.stringMatching(/^YAML syntax/) });
  });

  it('stores all the documents of a body or none of them', async () => {
    const good = pauseExperiment('first-of-two', worker);
    const body = `${good}---\n${pauseExperiment('second-of-two', worker).replace('hold', 'x').replace('duration: 300ms', 'duration: never')}`;
    const res = await api('POST', '/api/v1/experiments', { yaml: body });
    expect(res.status).toBe(422);
    expect(res.json.error.details[0].line).toBe(21);
    expect((await api('GET', '/api/v1/experiments/first-of-two')).status).toBe(404);
    const both = `${good}---\n${pauseExperiment('second-of-two', worker)}`;
    expect((await api('POST', '/api/v1/experiments', { yaml: both })).json).toEqual({ experiments: ['first-of-two', 'second-of-two'] });
    expect((await api('GET', '/api/v1/experiments/second-of-two')).json.yaml).toBe(pauseExperiment('second-of-two', worker));
  });

  it('refuses empty, non-JSON, oversized and wrong-kind bodies with clear 4xx errors', async () => {
    expect((await api('POST', '/api/v1/experiments', { yaml: '' })).json.error.message).toMatch(/the body is empty/);
    const notJson = await call(url, 'POST', '/api/v1/runs', {
      token: admin,
      headers: { 'content-type': 'application/json' },
      yaml: '{not json',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toMatch(/expected a JSON object body/);
    const huge = await api('POST', '/api/v1/experiments', { yaml: `# ${'x'.repeat(70 * 1024)}\n${pauseExperiment('huge', worker)}` });
    expect(huge.status).toBe(413);
    expect(huge.json.error).toMatchObject({ code: 'too_large', message: expect.stringMatching(/larger than 65536 bytes/) });
    // refused before its token is read, and audited all the same (as invalid input, like any other 4xx of a body)
    const denied = (await api('GET', '/api/v1/audit?action=experiment.&limit=20')).json.entries as {
      outcome: string;
      status?: number;
      detail?: string;
    }[];
    expect(denied.find((entry) => String(entry.detail ?? '').includes('larger than 65536 bytes'))).toMatchObject({ outcome: 'invalid' });
    const project = await api('POST', '/api/v1/experiments', {
      yaml: `${pauseExperiment('with-project', worker)}---\napiVersion: faultline.dev/v1\nkind: Project\nspec: {}\n`,
    });
    expect(project.status).toBe(400);
    expect(project.json.error.message).toMatch(/a project goes to PUT \/api\/v1\/project/);
    const unknownRoute = await api('GET', '/api/v1/nothing');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.json.error.message).toMatch(/openapi.json/);
  });
});

describe('schedules', () => {
  it('stores a schedule with its next run times in its time zone', async () => {
    await api('POST', '/api/v1/experiments', { yaml: pauseExperiment('nightly-pause', worker) });
    const res = await api('POST', '/api/v1/schedules', { yaml: schedule('weekday-3am', 'nightly-pause') });
    expect(res.status).toBe(201);
    const next = res.json.schedules[0].nextRuns as string[];
    expect(next).toHaveLength(5);
    for (const t of next) {
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(new Date(t));
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 03:00$/);
    }
    const one = (await api('GET', '/api/v1/schedules/weekday-3am')).json;
    expect(one).toMatchObject({
      state: 'scheduled',
      concurrencyPolicy: 'Forbid',
      historyLimit: 100,
      experiment: 'nightly-pause',
      occurrences: [],
    });
    expect(
      (await api('GET', '/api/v1/experiments')).json.experiments.find((e: { name: string }) => e.name === 'nightly-pause').schedules,
    ).toEqual(['weekday-3am']);
  });

  it('pauses and resumes a schedule; a paused schedule shows no timer but its next times', async () => {
    const paused = await api('POST', '/api/v1/schedules/weekday-3am/pause');
    expect(paused.json).toMatchObject({ suspended: true, state: 'suspended' });
    const resumed = await api('POST', '/api/v1/schedules/weekday-3am/resume');
    expect(resumed.json).toMatchObject({ suspended: false, state: 'scheduled' });
    expect((await api('POST', '/api/v1/schedules/nothing/pause')).status).toBe(404);
  });

  it('refuses a schedule with an invalid cron, time zone or window, or naming a missing experiment', async () => {
    const badCron = await api('POST', '/api/v1/schedules', {
      yaml: schedule('bad-cron', 'nightly-pause').replace('0 3 * * 1-5', '61 * * * *'),
    });
    expect(badCron.status).toBe(422);
    expect(badCron.json.error.details[0]).toMatchObject({
      line: 5,
      path: 'spec.schedule',
      message: expect.stringMatching(/invalid cron "61 \* \* \* \*": Invalid value for minute: 61/),
    });
    const badZone = await api('POST', '/api/v1/schedules', {
      yaml: schedule('bad-zone', 'nightly-pause').replace('Europe/Paris', 'Europe/Atlantis'),
    });
    expect(badZone.json.error.details[0]).toMatchObject({
      path: 'spec.timeZone',
      message: expect.stringMatching(/unknown time zone "Europe\/Atlantis"/),
    });
    const badWindow = await api('POST', '/api/v1/schedules', {
      yaml: schedule(
        'bad-window',
        'nightly-pause',
        '  window: { workDays: Mon-Fryday, workHours: "9-25", timeRange: { start: "2026-01-01" } }\n',
      ),
    });
    expect(badWindow.status).toBe(422);
    expect(badWindow.json.error.details.map((d: { path: string }) => d.path)).toEqual([
      'spec.window.workDays',
      'spec.window.workHours',
      'spec.window.timeRange.start',
    ]);
    const missing = await api('POST', '/api/v1/schedules', { yaml: schedule('orphan', 'no-such-experiment') });
    expect(missing.status).toBe(422);
    expect(missing.json.error.details[0].message).toMatch(/no experiment named no-such-experiment; create it first/);
    for (const name of ['bad-cron', 'bad-zone', 'bad-window', 'orphan'])
      expect((await api('GET', `/api/v1/schedules/${name}`)).status).toBe(404);
  });

  it('refuses to delete an experiment that a schedule runs, and deletes it once the schedule is gone', async () => {
    const used = await api('DELETE', '/api/v1/experiments/nightly-pause');
    expect(used.status).toBe(409);
    expect(used.json.error.message).toMatch(/run by schedule weekday-3am/);
    expect((await api('DELETE', '/api/v1/schedules/weekday-3am')).status).toBe(204);
    expect((await api('DELETE', '/api/v1/experiments/nightly-pause')).status).toBe(204);
  });

  it('takes an experiment inline, validated as an Experiment with errors inside the schedule', async () => {
    const inline = `apiVersion: faultline.dev/v1
kind: Schedule
metadata: { name: inline-pause }
spec:
  schedule: "@every 1h"
  experiment:
    spec:
      hypothesis: h
      targets: [ { name: w, process: { pid: ${worker} } } ]
      method: [ { fault: process.pause, selector: { names: [ w ] }, duration: 1s, mode: fixed } ]
`;
    const bad = await api('POST', '/api/v1/schedules', { yaml: inline });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details[0]).toMatchObject({ line: 10, path: 'spec.experiment.spec.method[0].value' });
    const good = await api('POST', '/api/v1/schedules', { yaml: inline.replace(', mode: fixed', '') });
    expect(good.status).toBe(201);
    const [first, second] = good.json.schedules[0].nextRuns.map((t: string) => Date.parse(t));
    expect(second - first).toBe(3_600_000);
    expect((await api('GET', '/api/v1/schedules/inline-pause')).json).toMatchObject({ experiment: 'inline-pause (inline)', inline: true });
  });

  it('validates a schedule in the editor with its next runs', async () => {
    const res = await api('POST', '/api/v1/validate', { yaml: schedule('preview', 'anything') });
    expect(res.status).toBe(200);
    expect(res.json.schedules[0]).toMatchObject({ name: 'preview', experiment: 'anything' });
    expect(res.json.schedules[0].nextRuns).toHaveLength(5);
  });
});

describe('the project', () => {
  it('stores a project through the API that experiments then use', async () => {
    const project = `apiVersion: faultline.dev/v1
kind: Project
spec:
  targets: [ { name: shared-worker, labels: { team: payments }, process: { pid: ${worker} } } ]
  policy: { denyLabels: [ { tier: database } ] }
`;
    expect((await api('PUT', '/api/v1/project', { yaml: project })).json).toMatchObject({ source: 'api', yaml: project });
    const uses = `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: uses-project }
spec:
  hypothesis: h
  method: [ { fault: process.pause, selector: { names: [ shared-worker ] }, duration: 100ms } ]
`;
    expect((await api('POST', '/api/v1/experiments', { yaml: uses })).status).toBe(201);
    const preview = await api('POST', '/api/v1/targets/preview', { json: { experiment: 'uses-project', seed: 1 } });
    expect(preview.json.steps[0]).toMatchObject({ selected: [`shared-worker (pid ${worker})`] });
    const bad = await api('PUT', '/api/v1/project', { yaml: project.replace('denyLabels', 'denyLabel') });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details[0].message).toMatch(/unknown field "denyLabel" \(did you mean "denyLabels"\?\)/);
  });
});
