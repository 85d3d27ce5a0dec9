/**
 * Runs through the API against real processes: start one and follow its live events, get its report
 * in every format, stop one (every fault reverted), the halt switch, dry runs, history filters and
 * paging, and alerts from an Alertmanager webhook reaching a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFormatNames } from '../src/report/index.js';
import type { Daemon } from '../src/server/daemon.js';
import { tempHome } from './support/cli.js';
import { call, makeToken, pauseExperiment, readEvents } from './support/daemon.js';
import { killStarted, processState, startSleeper, waitFor } from './support/processes.js';

let daemon: Daemon;
let url: string;
let operator: string;
let worker: number;

const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(url, method, path, { token: operator, ...options });

async function ended(runId: string) {
  await waitFor(async () => Boolean((await api('GET', `/api/v1/runs/${runId}`)).json.run.verdict), 30_000, `run ${runId} to end`);
  return (await api('GET', `/api/v1/runs/${runId}`)).json;
}

beforeAll(async () => {
  const home = tempHome();
  process.env.FAULTLINE_HOME = home;
  operator = await makeToken(home, 'olga', 'operator', ['--capability', 'exec']);
  const { Daemon } = await import('../src/server/daemon.js');
  daemon = await Daemon.start({ port: 0, log: () => {} });
  url = daemon.url;
  worker = startSleeper('api-runs').pid as number;
  expect((await api('POST', '/api/v1/experiments', { yaml: pauseExperiment('pause-briefly', worker, '600ms') })).status).toBe(201);
  expect((await api('POST', '/api/v1/experiments', { yaml: pauseExperiment('pause-long', worker, '60s') })).status).toBe(201);
});

afterAll(async () => {
  await daemon?.stop('tests done');
  killStarted();
});

describe('a run through the API', () => {
  it('starts, streams its events live until the end, and stores its report in every format', async () => {
    const started = await api('POST', '/api/v1/runs', { json: { experiment: 'pause-briefly', seed: 42 } });
    expect(started.status).toBe(202);
    const { runId } = started.json;
    expect(started.json.links.events).toBe(`/api/v1/runs/${runId}/events`);
    const events = await readEvents(`${url}/api/v1/runs/${runId}/events`, operator, (e) => e.type === 'end');
    const types = new Set(events.map((e) => e.type));
    expect([...types]).toEqual(expect.arrayContaining(['timeline', 'sample', 'step', 'phase', 'end']));
    const timeline = events.filter((e) => e.type === 'timeline').map((e) => (e.data as { event: string }).event);
    expect(timeline).toEqual(expect.arrayContaining(['run-started', 'injected', 'reverted', 'run-ended']));
    expect(events.at(-1)?.data).toMatchObject({ runId, verdict: 'passed' });
    expect(processState(worker)).not.toBe('T');

    const run = await ended(runId);
    expect(run.run).toMatchObject({ id: runId, verdict: 'passed', trigger: 'api', actor: 'olga', seed: 42, running: false });
    expect(run.report.faults[0]).toMatchObject({ fault: 'process.pause', target: `worker (pid ${worker})` });
    for (const format of reportFormatNames()) {
      const res = await api('GET', `/api/v1/runs/${runId}/report?format=${format}`);
      expect(res.status, format).toBe(200);
      expect(res.text.length).toBeGreaterThan(100);
    }
    expect((await api('GET', `/api/v1/runs/${runId}/report?format=json`)).headers.get('content-type')).toMatch(/application\/json/);
    expect((await api('GET', `/api/v1/runs/${runId}/report?format=md`)).text).toMatch(/^# Chaos experiment: pause-briefly/);
    const html = await api('GET', `/api/v1/runs/${runId}/report?format=html`);
    expect(html.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect((await api('GET', `/api/v1/runs/${runId}/report?format=junit`)).text).toMatch(/<testsuite/);
    const unknown = await api('GET', `/api/v1/runs/${runId}/report?format=pdf`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toMatch(/unknown report format "pdf"/);
    expect((await api('GET', `/api/v1/runs/${runId}/samples`)).json.samples.length).toBeGreaterThan(3);

    // a client that reconnects with Last-Event-ID gets only what it missed
    const lastId = events.at(-3)?.id as string;
    const rest = await readEvents(`${url}/api/v1/runs/${runId}/events`, operator, (e) => e.type === 'end', 10_000, {
      'last-event-id': lastId,
    });
    expect(rest.map((e) => e.id)).toEqual(events.slice(-2).map((e) => e.id));
  });

  it('stops a run: every fault is reverted at once and the run ends interrupted', async () => {
    const { runId } = (await api('POST', '/api/v1/runs', { json: { experiment: 'pause-long' } })).json;
    await waitFor(() => processState(worker) === 'T', 10_000, 'the worker to be paused');
    const running = await api('GET', `/api/v1/runs?verdict=running`);
    expect(running.json.runs.map((r: { id: string }) => r.id)).toContain(runId);
    expect((await api('GET', `/api/v1/runs/${runId}/report`)).status).toBe(409);
    const stop = await api('POST', `/api/v1/runs/${runId}/stop`);
    expect(stop.status).toBe(202);
    const run = await ended(runId);
    expect(run.run.verdict).toBe('interrupted');
    expect(processState(worker)).not.toBe('T');
    expect((await api('POST', `/api/v1/runs/${runId}/stop`)).status).toBe(409);
    expect((await api('POST', '/api/v1/runs/no-such-run/stop')).status).toBe(404);
  });

  it('halts: a running run reverts within a second and ends aborted; no run starts until unhalt', async () => {
    const { runId } = (await api('POST', '/api/v1/runs', { json: { experiment: 'pause-long' } })).json;
    await waitFor(() => processState(worker) === 'T', 10_000, 'the worker to be paused');
    const daemonEvents = readEvents(`${url}/api/v1/events`, operator, (e) => e.type === 'run-ended', 15_000);
    const halted = Date.now();
    expect((await api('POST', '/api/v1/halt', { json: { reason: 'INC-42 checkout is down' } })).status).toBe(200);
    await waitFor(() => processState(worker) !== 'T', 2000, 'the worker to be resumed by the halt');
    expect(Date.now() - halted).toBeLessThan(1500);
    const run = await ended(runId);
    expect(run.run.verdict).toBe('aborted');
    expect(run.run.reason).toMatch(/INC-42 checkout is down/);
    const seen = await daemonEvents;
    expect(seen.map((e) => e.type)).toEqual(expect.arrayContaining(['halted', 'run-ended']));
    const refused = await api('POST', '/api/v1/runs', { json: { experiment: 'pause-briefly' } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/halted by olga .* INC-42/);
    expect((await api('GET', '/api/v1/halt')).json).toMatchObject({ halted: true, halt: { reason: 'INC-42 checkout is down' } });
    expect((await api('POST', '/api/v1/halt', { json: { reason: ' ' } })).status).toBe(400);
    expect((await api('DELETE', '/api/v1/halt')).json).toMatchObject({ halted: false, lifted: 1 });

    // a dashboard page listens from the event it was drawn after: the later ones, and no earlier one
    const haltedId = Number(seen.find((e) => e.type === 'halted')?.id);
    const after = await readEvents(`${url}/api/v1/events?lastEventId=${haltedId}`, operator, (e) => e.type === 'unhalted', 5000);
    expect(after.map((e) => e.type)).not.toContain('halted');
    expect(after.map((e) => e.type)).toEqual(expect.arrayContaining(['run-ended', 'unhalted']));
    // an id this daemon never gave (the page is from before a restart): everything kept is new to it
    const again = await readEvents(
      `${url}/api/v1/events?lastEventId=${haltedId + 1_000_000}`,
      operator,
      (e) => e.type === 'unhalted',
      5000,
    );
    expect(again.map((e) => e.type)).toEqual(expect.arrayContaining(['halted', 'run-ended', 'unhalted']));
  });

  it('dry-runs and previews without touching anything', async () => {
    const dry = await api('POST', '/api/v1/dry-run', { json: { experiment: 'pause-briefly', seed: 7 } });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ experiment: 'pause-briefly', seed: 7, wouldProceed: true });
    expect(dry.json.steps[0]).toMatchObject({ fault: 'process.pause', selected: [`worker (pid ${worker})`] });
    expect(dry.json.guards.map((g: { guard: string }) => g.guard)).toEqual(expect.arrayContaining(['halt', 'policy', 'lock']));
    expect(processState(worker)).not.toBe('T');
    const preview = await api('POST', '/api/v1/targets/preview', { json: { yaml: pauseExperiment('inline', worker) } });
    expect(preview.json.steps[0].candidates[0]).toMatchObject({ target: `worker (pid ${worker})`, labels: { team: 'payments' } });
    const nothing = await api('POST', '/api/v1/targets/preview', { json: { yaml: pauseExperiment('gone', 999_999) } });
    expect(nothing.status).toBe(422);
    expect(nothing.json.error.message).toMatch(/no process with pid 999999/);
    expect((await api('POST', '/api/v1/dry-run', { json: { experiment: 'nope' } })).status).toBe(404);
    expect((await api('POST', '/api/v1/runs', { json: { experiment: 'pause-briefly', seed: -1 } })).status).toBe(400);
    expect((await api('POST', '/api/v1/runs', { json: {} })).json.error.message).toMatch(/"experiment".*or "yaml"/);
  });

  it('lists runs newest first with filters and keyset paging', async () => {
    for (let i = 0; i < 3; i++) await ended((await api('POST', '/api/v1/runs', { json: { experiment: 'pause-briefly' } })).json.runId);
    const all = (await api('GET', '/api/v1/runs?limit=100')).json.runs;
    expect(all.length).toBeGreaterThanOrEqual(6);
    const page1 = (await api('GET', '/api/v1/runs?experiment=pause-briefly&limit=2')).json;
    expect(page1.runs).toHaveLength(2);
    const page2 = (await api('GET', `/api/v1/runs?experiment=pause-briefly&limit=2&cursor=${page1.next}`)).json;
    expect(page2.runs[0].startedAt <= page1.runs[1].startedAt).toBe(true);
    expect(page2.runs.map((r: { id: string }) => r.id)).not.toContain(page1.runs[1].id);
    expect(
      (await api('GET', '/api/v1/runs?verdict=interrupted')).json.runs.every((r: { verdict: string }) => r.verdict === 'interrupted'),
    ).toBe(true);
    expect((await api('GET', '/api/v1/runs?verdict=aborted&experiment=pause-long')).json.runs).toHaveLength(1);
    expect((await api('GET', `/api/v1/runs?since=${new Date(Date.now() + 60_000).toISOString()}`)).json.runs).toEqual([]);
    expect((await api('GET', '/api/v1/runs?verdict=great')).status).toBe(400);
    expect((await api('GET', '/api/v1/runs?since=yesterday')).json.error.message).toMatch(/since yesterday: expected a date/);
    expect((await api('GET', '/api/v1/runs?limit=0')).status).toBe(400);
  });
});

describe('alerts', () => {
  it('receives Alertmanager webhooks and hands the alerts to the runs going on, which record them', async () => {
    const { runId } = (await api('POST', '/api/v1/runs', { json: { experiment: 'pause-long' } })).json;
    await waitFor(() => processState(worker) === 'T', 10_000, 'the worker to be paused');
    const payload = {
      version: '4',
      status: 'firing',
      receiver: 'faultline',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'CheckoutErrors', severity: 'page' },
          startsAt: new Date().toISOString(),
          fingerprint: 'abc',
        },
      ],
    };
    expect((await api('POST', '/api/v1/alerts', { json: payload })).json).toEqual({ received: 1, new: 1 });
    expect((await api('POST', '/api/v1/alerts', { json: payload })).json).toEqual({ received: 1, new: 0 });
    expect((await api('POST', '/api/v1/alerts', { json: { version: '3' } })).status).toBe(400);
    await api('POST', `/api/v1/runs/${runId}/stop`);
    const run = await ended(runId);
    expect(run.report.alerts).toEqual([expect.objectContaining({ name: 'CheckoutErrors', status: 'firing' })]);
    expect(run.report.measurements.mttdAlertMs).toBeGreaterThanOrEqual(0);
  });
});
