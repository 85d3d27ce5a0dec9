// Notifications against local receivers that speak the real wire formats: a Slack incoming webhook,
// PagerDuty's Events API v2 and a webhook receiver that verifies the HMAC signature. Retries, time-outs,
// final errors, missing secrets, and that no secret ever shows in what faultline prints.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkNotifications,
  type NotificationSpec,
  notificationsSchema,
  notifyRuns,
  parseNotifyOptions,
} from '../src/observe/notify/index.js';
import { NotifyState } from '../src/observe/notify/state.js';
import type { RunReport, Verdict } from '../src/report/types.js';
import { parseExperiments } from '../src/spec/load.js';
import { UserError } from '../src/util/errors.js';
import { startFakePagerDutyEvents } from './support/fake-pagerduty-events.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { startFakeWebhook, validSignature } from './support/fake-webhook.js';
import type { RecordingServer } from './support/recording-server.js';
import '../src/faults/index.js';
import '../src/probes/index.js';

const T0 = Date.parse('2026-02-03T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
let runCounter = 0;

function report(verdict: Verdict, experiment = 'checkout-survives-slow-payments'): RunReport {
  runCounter++;
  return {
    schemaVersion: 1,
    runId: `20260203T100000-${String(runCounter).padStart(6, '0')}`,
    experiment: { name: experiment, file: 'experiments/checkout.yaml' },
    hypothesis: 'Checkout stays above 99% while payments is slow.',
    verdict,
    reason:
      verdict === 'passed' ? 'the steady state held: availability 1 (>= 0.99)' : 'hypothesis refuted: availability 0.8, expected >= 0.99',
    startedAt: at(0),
    endedAt: at(20_000),
    seed: 7,
    targets: ['payments (pid 4242)'],
    faults: [
      { step: 'slow', fault: 'process.pause', target: 'payments (pid 4242)', injectedAt: at(3000), revertedAt: at(9000), error: null },
    ],
    probes: [{ name: 'checkout', mode: 'Continuous', type: 'http', samples: 100, ok: 80, failed: 20, lastFailure: 'timeout' }],
    tolerances: [],
    measurements: {
      mttdMs: 1250,
      mttrMs: verdict === 'passed' ? 400 : null,
      availability: 0.8,
      availabilityByPhase: { before: 1, during: 0.8, after: 1 },
      samplesByPhase: { before: 15, during: 60, after: 25 },
      latencyMs: {
        before: { p50: 10, p95: 20, p99: 30, n: 15 },
        during: { p50: 300, p95: 900, p99: 1000, n: 60 },
        after: { p50: 10, p95: 20, p99: 30, n: 25 },
      },
      probeIntervalMs: 250,
      recoverySamples: 3,
    },
    timeline: [],
  };
}

function specs(list: unknown[]): NotificationSpec[] {
  return notificationsSchema().parse(list);
}

const servers: RecordingServer[] = [];
const states: NotifyState[] = [];
async function track<T extends RecordingServer>(server: Promise<T>): Promise<T> {
  const s = await server;
  servers.push(s);
  return s;
}
function freshState(): NotifyState {
  const state = new NotifyState(join(mkdtempSync(join(tmpdir(), 'faultline-notify-')), 'notifications.db'));
  states.push(state);
  return state;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const s of states.splice(0)) s.close();
});

function fieldText(slack: FakeSlack, index = 0): string {
  const message = slack.messages[index];
  return JSON.stringify(message?.blocks ?? []);
}

describe('slack', () => {
  it('posts a Block Kit message with experiment, verdict, MTTD, MTTR and the report link', async () => {
    const slack = await track(startFakeSlack());
    const env = { SLACK_WEBHOOK_URL: slack.webhookUrl };
    const r = report('failed');
    const outcomes = await notifyRuns(
      [{ report: r, notifications: specs([{ type: 'slack' }]), reportFile: '/srv/reports/checkout.html' }],
      {
        env,
        state: freshState(),
      },
    );
    expect(outcomes).toEqual([{ runId: r.runId, channel: 'slack', ok: true, line: `notification slack (run ${r.runId}): posted` }]);
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]?.headers['content-type']).toMatch(/^application\/json/);
    const message = slack.messages[0];
    expect(message?.text).toContain('FAILED');
    expect(message?.text).toContain(r.runId);
    const [header, reason, fields, context] = message?.blocks ?? [];
    expect(header?.type).toBe('header');
    expect(header?.text?.text).toContain('FAILED · checkout-survives-slow-payments');
    expect(reason?.text?.text).toContain('availability 0.8, expected &gt;= 0.99');
    const texts = (fields?.fields ?? []).map((f) => f.text);
    expect(texts).toContain('*Experiment*\ncheckout-survives-slow-payments');
    expect(texts).toContain('*Verdict*\nFAILED');
    expect(texts).toContain('*MTTD*\n1.25s ± 250ms');
    expect(texts).toContain('*MTTR*\nnot recovered');
    expect(texts).toContain('*Availability during faults*\n80% (48 of 60 samples)');
    expect(context?.elements?.[0]?.text).toContain('Report: `/srv/reports/checkout.html`');
  });

  it('links to the published report when reportUrl is given, and honours `on`', async () => {
    const slack = await track(startFakeSlack());
    const env = { SLACK_WEBHOOK_URL: slack.webhookUrl };
    const config = specs([{ type: 'slack', on: ['failed'], reportUrl: 'https://ci.example.com/chaos/{experiment}/{runId}.html' }]);
    const passed = report('passed');
    const failed = report('failed');
    await notifyRuns(
      [
        { report: passed, notifications: config },
        { report: failed, notifications: config },
      ],
      { env, state: freshState() },
    );
    expect(slack.messages).toHaveLength(1);
    expect(fieldText(slack)).toContain(
      `<https://ci.example.com/chaos/checkout-survives-slow-payments/${failed.runId}.html|Open the report>`,
    );
  });

  it('does not retry a final answer (invalid_payload-like 400), and never prints the webhook URL', async () => {
    const slack = await track(startFakeSlack());
    slack.script.push({ status: 400, body: 'invalid_blocks' });
    const env = { SLACK_WEBHOOK_URL: slack.webhookUrl };
    const [outcome] = await notifyRuns([{ report: report('failed'), notifications: specs([{ type: 'slack' }]) }], {
      env,
      state: freshState(),
      backoffMs: 10,
    });
    expect(slack.requests).toHaveLength(1);
    expect(outcome?.ok).toBe(false);
    expect(outcome?.line).toContain('HTTP 400 invalid_blocks');
    expect(outcome?.line).toContain('$SLACK_WEBHOOK_URL');
    expect(outcome?.line).not.toContain(slack.webhookUrl);
    expect(outcome?.line).not.toContain('xFakeSlackToken');
  });
});

describe('pagerduty', () => {
  it('triggers on failed with dedup key faultline:<experiment>, resolves on the next pass, then stays quiet', async () => {
    const pd = await track(startFakePagerDutyEvents());
    const env = { PD_KEY: pd.routingKey };
    const config = specs([{ type: 'pagerduty', routingKeyEnv: 'PD_KEY', url: pd.enqueueUrl }]);
    const state = freshState();
    const send = (verdict: Verdict) => notifyRuns([{ report: report(verdict), notifications: config }], { env, state });

    const first = await send('failed');
    expect(first[0]?.line).toMatch(/: triggered faultline:checkout-survives-slow-payments$/);
    const trigger = pd.events[0];
    expect(trigger?.event_action).toBe('trigger');
    expect(trigger?.dedup_key).toBe('faultline:checkout-survives-slow-payments');
    expect(trigger?.payload?.severity).toBe('error');
    expect(trigger?.payload?.summary).toContain('checkout-survives-slow-payments FAILED');
    expect(trigger?.payload?.custom_details?.mttd).toBe('1.25s ± 250ms');
    expect(pd.alerts.get('faultline:checkout-survives-slow-payments')).toBe('triggered');

    await send('aborted'); // same experiment: the same alert, deduplicated by PagerDuty
    expect(pd.events).toHaveLength(2);
    expect(pd.events[1]?.dedup_key).toBe('faultline:checkout-survives-slow-payments');

    await send('error'); // not a trigger verdict by default, and not a pass: nothing
    expect(pd.events).toHaveLength(2);

    const resolved = await send('passed');
    expect(resolved[0]?.line).toMatch(/: resolved faultline:checkout-survives-slow-payments$/);
    expect(pd.events[2]).toEqual({
      routing_key: pd.routingKey,
      event_action: 'resolve',
      dedup_key: 'faultline:checkout-survives-slow-payments',
    });
    expect(pd.alerts.get('faultline:checkout-survives-slow-payments')).toBe('resolved');

    expect(await send('passed')).toEqual([]); // nothing open: nothing sent
    expect(pd.requests).toHaveLength(3);
  });

  it('keeps the incident open when the resolve fails, and resolves on a later pass', async () => {
    const pd = await track(startFakePagerDutyEvents());
    const env = { PAGERDUTY_ROUTING_KEY: pd.routingKey };
    const config = specs([{ type: 'pagerduty', url: pd.enqueueUrl, attempts: 1 }]);
    const state = freshState();
    await notifyRuns([{ report: report('failed', 'db-failover'), notifications: config }], { env, state });
    pd.script.push({ status: 500, body: '{"status":"error"}' });
    const failedResolve = await notifyRuns([{ report: report('passed', 'db-failover'), notifications: config }], { env, state });
    expect(failedResolve[0]?.ok).toBe(false);
    const later = await notifyRuns([{ report: report('passed', 'db-failover'), notifications: config }], { env, state });
    expect(later[0]?.line).toContain('resolved faultline:db-failover');
    expect(pd.alerts.get('faultline:db-failover')).toBe('resolved');
  });

  it('reports an unknown routing key as PagerDuty answers it, without the key', async () => {
    const pd = await track(startFakePagerDutyEvents());
    const wrongKey = 'f'.repeat(32);
    const [outcome] = await notifyRuns([{ report: report('failed'), notifications: specs([{ type: 'pagerduty', url: pd.enqueueUrl }]) }], {
      env: { PAGERDUTY_ROUTING_KEY: wrongKey },
      state: freshState(),
    });
    expect(outcome?.ok).toBe(false);
    expect(outcome?.line).toContain('HTTP 400');
    expect(outcome?.line).toContain('Invalid routing key');
    expect(outcome?.line).not.toContain(wrongKey);
    expect(pd.requests).toHaveLength(1);
  });
});

describe('generic webhook', () => {
  it('POSTs the JSON report signed with HMAC-SHA256 of the body', async () => {
    const hook = await track(startFakeWebhook());
    const r = report('aborted');
    const [outcome] = await notifyRuns([{ report: r, notifications: specs([{ type: 'webhook', url: `${hook.url}/chaos` }]) }], {
      env: { FAULTLINE_WEBHOOK_SECRET: hook.secret },
      state: freshState(),
    });
    expect(outcome?.ok).toBe(true);
    expect(hook.rejected).toBe(0);
    expect(hook.deliveries).toEqual([r]);
    const request = hook.requests[0];
    expect(request?.path).toBe('/chaos');
    expect(request?.headers['x-faultline-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(validSignature(request?.body ?? '', request?.headers['x-faultline-signature'], hook.secret)).toBe(true);
    expect(validSignature(request?.body ?? '', request?.headers['x-faultline-signature'], 'another-secret')).toBe(false);
    expect(request?.headers['x-faultline-run-id']).toBe(r.runId);
    expect(request?.headers['x-faultline-event']).toBe('run.finished');
  });

  it('retries after a receiver that does not answer in time, then succeeds with the same delivery id', async () => {
    const hook = await track(startFakeWebhook());
    hook.script.push('hang');
    const started = Date.now();
    const [outcome] = await notifyRuns(
      [{ report: report('failed'), notifications: specs([{ type: 'webhook', url: hook.url, secretEnv: 'HOOK_KEY', timeout: '300ms' }]) }],
      { env: { HOOK_KEY: hook.secret }, state: freshState(), backoffMs: 50 },
    );
    expect(outcome?.ok, outcome?.line).toBe(true);
    expect(hook.requests).toHaveLength(2);
    expect(hook.deliveries).toHaveLength(1);
    expect(hook.requests[0]?.headers['x-faultline-delivery']).toBe(hook.requests[1]?.headers['x-faultline-delivery']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('gives up after the attempts with one line naming the last failure, and never the secret', async () => {
    const hook = await track(startFakeWebhook());
    hook.script.push({ status: 503, body: 'busy' }, 'hang', { status: 500, body: 'still broken' });
    const [outcome] = await notifyRuns(
      [{ report: report('failed'), notifications: specs([{ type: 'webhook', url: hook.url, timeout: '200ms', attempts: 3 }]) }],
      { env: { FAULTLINE_WEBHOOK_SECRET: hook.secret }, state: freshState(), backoffMs: 20 },
    );
    expect(hook.requests).toHaveLength(3);
    expect(outcome?.ok).toBe(false);
    expect(outcome?.line).toMatch(/^notification webhook \(run \S+\) failed: HTTP 500 still broken \(after 3 attempts\)/);
    expect(outcome?.line.split('\n')).toHaveLength(1);
    expect(outcome?.line).not.toContain(hook.secret);
  });

  it('honours Retry-After on 429 (bounded)', async () => {
    const hook = await track(startFakeWebhook());
    hook.script.push({ status: 429, body: 'slow down', headers: { 'Retry-After': '1' } });
    const started = Date.now();
    const [outcome] = await notifyRuns([{ report: report('failed'), notifications: specs([{ type: 'webhook', url: hook.url }]) }], {
      env: { FAULTLINE_WEBHOOK_SECRET: hook.secret },
      state: freshState(),
      backoffMs: 10,
    });
    expect(outcome?.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('reports a receiver that refuses connections after the attempts', async () => {
    const hook = await track(startFakeWebhook());
    const url = hook.url;
    await hook.close();
    servers.splice(servers.indexOf(hook), 1);
    const [outcome] = await notifyRuns([{ report: report('failed'), notifications: specs([{ type: 'webhook', url, attempts: 2 }]) }], {
      env: { FAULTLINE_WEBHOOK_SECRET: 'k3y-value' },
      state: freshState(),
      backoffMs: 10,
    });
    expect(outcome?.ok).toBe(false);
    expect(outcome?.line).toContain('ECONNREFUSED');
    expect(outcome?.line).toContain('(after 2 attempts)');
  });
});

describe('secrets and configuration', () => {
  it('names the missing variable before the run, and sends nothing for that channel', async () => {
    const slack = await track(startFakeSlack());
    const config = specs([{ type: 'slack', webhookUrlEnv: 'TEAM_SLACK_URL' }]);
    expect(checkNotifications(config, {})).toEqual([
      'notification slack: the Slack webhook URL is read from $TEAM_SLACK_URL, which is not set; export it; it will not be sent',
    ]);
    const [outcome] = await notifyRuns([{ report: report('failed'), notifications: config }], { env: {}, state: freshState() });
    expect(outcome?.ok).toBe(false);
    expect(outcome?.line).toContain('$TEAM_SLACK_URL, which is not set');
    expect(slack.requests).toHaveLength(0);
  });

  it('reads a secret from a file', async () => {
    const hook = await track(startFakeWebhook());
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-secret-')), 'hook.key');
    writeFileSync(file, `${hook.secret}\n`, { mode: 0o600 });
    const config = specs([{ type: 'webhook', url: hook.url, secretFile: file }]);
    expect(checkNotifications(config, {})).toEqual([]);
    const [outcome] = await notifyRuns([{ report: report('passed'), notifications: config }], { env: {}, state: freshState() });
    expect(outcome?.ok).toBe(true);
    expect(hook.rejected).toBe(0);
  });

  it('parses --notify values and rejects bad ones with the fix', () => {
    const { specs: parsed, none } = parseNotifyOptions(['slack', 'pagerduty', 'webhook=https://hooks.example.com/x']);
    expect(none).toBe(false);
    expect(parsed.map((s) => s.type)).toEqual(['slack', 'pagerduty', 'webhook']);
    expect(parsed[2]).toMatchObject({ url: 'https://hooks.example.com/x', attempts: 3, timeout: 5000 });
    expect(parseNotifyOptions(['none'])).toEqual({ specs: [], none: true });
    expect(() => parseNotifyOptions(['slak'])).toThrow(
      '--notify slak: unknown channel (did you mean "slack"?); use one of slack, pagerduty, webhook, none',
    );
    expect(() => parseNotifyOptions(['webhook'])).toThrow(UserError);
    expect(() => parseNotifyOptions(['webhook'])).toThrow(/webhook=https:\/\/HOST\/PATH/);
    expect(() => parseNotifyOptions(['webhook=ftp://x'])).toThrow(/http\(s\) URL/);
  });

  it('carries spec.notifications from the project file to the experiment, and locates mistakes', () => {
    const project = `apiVersion: faultline.dev/v1
kind: Project
spec:
  notifications:
    - { type: slack, webhookUrlEnv: SLACK_WEBHOOK_URL, on: [failed, aborted, error] }
    - { type: pagerduty, routingKeyEnv: PD_ROUTING_KEY }
    - { type: webhook, url: "https://hooks.example.com/chaos", secretEnv: HOOK_SECRET, on: [failed] }
---
`;
    const experiment = `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: notified }
spec:
  hypothesis: h
  method: [ { pause: 1s } ]
`;
    const [loaded] = parseExperiments(project + experiment, null, { project: null });
    expect(loaded?.notifications).toEqual([
      { type: 'slack', webhookUrlEnv: 'SLACK_WEBHOOK_URL', on: ['failed', 'aborted', 'error'], timeout: 5000, attempts: 3 },
      {
        type: 'pagerduty',
        routingKeyEnv: 'PD_ROUTING_KEY',
        url: 'https://events.pagerduty.com/v2/enqueue',
        severity: 'error',
        resolve: true,
        timeout: 5000,
        attempts: 3,
      },
      { type: 'webhook', url: 'https://hooks.example.com/chaos', secretEnv: 'HOOK_SECRET', on: ['failed'], timeout: 5000, attempts: 3 },
    ]);
    const bad = project.replace('type: slack,', 'type: slak,').replace('on: [failed] }', 'on: [failed], secret: hunter2 }');
    expect(() => parseExperiments(bad + experiment, null, { project: null })).toThrow(
      '<input>:5:15: spec.notifications[0].type: unknown notification type "slak" (did you mean "slack"?); known types: slack, pagerduty, webhook',
    );
    expect(() => parseExperiments(bad + experiment, null, { project: null })).toThrow(
      /<input>:7:\d+: spec\.notifications\[2\]\.secret: unknown field "secret"/,
    );
  });
});

describe('sending', () => {
  it('sends every channel of every run at once, and nothing for a verdict no channel wants', async () => {
    const slack = await track(startFakeSlack());
    const hook = await track(startFakeWebhook());
    const pd = await track(startFakePagerDutyEvents());
    const env = { SLACK_WEBHOOK_URL: slack.webhookUrl, FAULTLINE_WEBHOOK_SECRET: hook.secret, PAGERDUTY_ROUTING_KEY: pd.routingKey };
    const config = specs([
      { type: 'slack', on: ['failed'] },
      { type: 'webhook', url: hook.url, on: ['failed'] },
      { type: 'pagerduty', url: pd.enqueueUrl },
    ]);
    for (const s of [slack, hook, pd]) s.script.push('hang');
    const started = Date.now();
    const outcomes = await notifyRuns([{ report: report('failed'), notifications: config }], {
      env,
      state: freshState(),
      backoffMs: 10,
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    // three hung first attempts of 5s each, in parallel: about 5s, not 15s
    expect(Date.now() - started).toBeLessThan(9000);
    expect(await notifyRuns([{ report: report('interrupted'), notifications: config }], { env, state: freshState() })).toEqual([]);
  }, 30_000);
});
