// `faultline run` notifies after the run, end to end: a real run that fails (a paused web server),
// notifications from the project file (Slack, PagerDuty) and from --notify (a signed webhook, and one
// that cannot be reached), every message sent after every fault was reverted, no secret in any output,
// and the next passing run of the same experiment resolving the PagerDuty alert.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { type CliResult, runCli, tempHome } from './support/cli.js';
import { unusedPort } from './support/fake-pagerduty.js';
import { type FakePagerDutyEvents, startFakePagerDutyEvents } from './support/fake-pagerduty-events.js';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.js';
import { type FakeWebhook, startFakeWebhook, validSignature } from './support/fake-webhook.js';
import { killStarted } from './support/processes.js';
import { startWebSystem, type WebSystem, writeWebExperiment } from './support/web-experiment.js';

describe('faultline run with notifications', () => {
  let system: WebSystem;
  let slack: FakeSlack;
  let pd: FakePagerDutyEvents;
  let hook: FakeWebhook;
  let home: string;
  let env: Record<string, string>;
  let failed: CliResult;
  let report: RunReport;
  let reportDir: string;
  let deadPort: number;

  beforeAll(async () => {
    system = await startWebSystem();
    [slack, pd, hook] = await Promise.all([startFakeSlack(), startFakePagerDutyEvents(), startFakeWebhook()]);
    deadPort = await unusedPort();
    home = tempHome();
    env = { SLACK_WEBHOOK_URL: slack.webhookUrl, PD_ROUTING_KEY: pd.routingKey, FAULTLINE_WEBHOOK_SECRET: hook.secret };
    writeFileSync(
      join(system.dir, 'faultline.yaml'),
      `apiVersion: faultline.dev/v1
kind: Project
spec:
  notifications:
    - { type: slack, webhookUrlEnv: SLACK_WEBHOOK_URL, on: [failed, aborted, error] }
    - { type: pagerduty, routingKeyEnv: PD_ROUTING_KEY, url: "${pd.enqueueUrl}" }
`,
    );
    const file = writeWebExperiment(system, { name: 'web-survives-pause', pause: 'web' });
    reportDir = join(system.dir, 'reports');
    failed = await runCli(
      [
        'run',
        file,
        '--report-dir',
        reportDir,
        '--notify',
        `webhook=${hook.url}/faultline`,
        '--notify',
        `webhook=http://127.0.0.1:${deadPort}/x`,
      ],
      { home, env },
    );
    const json = readdirSync(reportDir).find((f) => f.endsWith('.json')) as string;
    report = JSON.parse(readFileSync(join(reportDir, json), 'utf8'));
  });

  afterAll(async () => {
    killStarted();
    await Promise.all([slack?.close(), pd?.close(), hook?.close()]);
  });

  it('keeps the verdict and exit code of the run, whatever the notifications did', () => {
    expect(report.verdict, failed.stdout + failed.stderr).toBe('failed');
    expect(failed.code).toBe(1);
  });

  it('sends to every channel, after the run ended and every fault was reverted', () => {
    const revertedAt = Math.max(...report.faults.map((f) => Date.parse(f.revertedAt ?? '')));
    expect(Number.isFinite(revertedAt)).toBe(true);
    const all = [...slack.requests, ...pd.requests, ...hook.requests];
    expect(all).toHaveLength(3);
    for (const request of all) {
      expect(request.at).toBeGreaterThan(revertedAt);
      expect(request.at).toBeGreaterThanOrEqual(Date.parse(report.endedAt));
    }
  });

  it('posts the Slack message with the numbers and the path of the HTML report', () => {
    const message = JSON.stringify(slack.messages[0]);
    expect(message).toContain('web-survives-pause');
    expect(message).toContain('FAILED');
    expect(message).toContain('*MTTD*');
    expect(message).toContain('*MTTR*');
    expect(message).toContain(report.runId);
    const html = join(reportDir, `web-survives-pause-${report.runId}.html`);
    expect(message).toContain(`Report: \`${html}\``);
    expect(readFileSync(html, 'utf8')).toContain('<svg');
  });

  it('triggers PagerDuty with the experiment dedup key', () => {
    expect(pd.events).toHaveLength(1);
    expect(pd.events[0]).toMatchObject({ event_action: 'trigger', dedup_key: 'faultline:web-survives-pause' });
    expect(pd.events[0]?.payload?.custom_details?.run_id).toBe(report.runId);
  });

  it('delivers the signed JSON report to the webhook given on the command line', () => {
    const request = hook.requests[0];
    expect(request?.path).toBe('/faultline');
    expect(validSignature(request?.body ?? '', request?.headers['x-faultline-signature'], hook.secret)).toBe(true);
    expect(JSON.parse(request?.body ?? '{}')).toEqual(report);
  });

  it('prints one line per notification, each with the run id; the unreachable one as one warning', () => {
    const lines = (failed.stdout + failed.stderr).split('\n').filter((l) => l.includes('notification '));
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toContain(`(run ${report.runId})`);
    const failures = failed.stderr.split('\n').filter((l) => l.includes('notification '));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^faultline: notification webhook \(run \S+\) failed: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(after 3 attempts\)/,
    );
  });

  it('never writes a secret to the output or the reports', () => {
    const texts = [failed.stdout, failed.stderr, ...readdirSync(reportDir).map((f) => readFileSync(join(reportDir, f), 'utf8'))];
    for (const text of texts) {
      for (const secret of [slack.webhookUrl, 'xFakeSlackToken', pd.routingKey, hook.secret]) expect(text).not.toContain(secret);
    }
  });

  it('resolves the PagerDuty alert when the next run of the experiment passes', async () => {
    const file = writeWebExperiment(system, { name: 'web-survives-pause', pause: 'sleeper', file: 'passing.yaml' });
    const passed = await runCli(['run', file], { home, env });
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(slack.requests).toHaveLength(1); // slack is only told of failed, aborted, error
    expect(pd.events.at(-1)).toEqual({ routing_key: pd.routingKey, event_action: 'resolve', dedup_key: 'faultline:web-survives-pause' });
    expect(pd.alerts.get('faultline:web-survives-pause')).toBe('resolved');
    expect(passed.stdout).toMatch(/notification pagerduty \(run \S+\): resolved faultline:web-survives-pause/);
  });

  it('warns before the run when a secret is missing, and --notify none sends nothing', async () => {
    const file = writeWebExperiment(system, { name: 'web-survives-pause', pause: 'sleeper', file: 'passing.yaml' });
    const requestsBefore = slack.requests.length + pd.requests.length;
    const missing = await runCli(['run', file, '--notify', 'slack'], { home, env: { PD_ROUTING_KEY: pd.routingKey } });
    expect(missing.code).toBe(0);
    expect(missing.stderr).toContain(
      'faultline: notification slack: the Slack webhook URL is read from $SLACK_WEBHOOK_URL, which is not set; export it; it will not be sent',
    );
    const none = await runCli(['run', file, '--notify', 'none'], { home, env });
    expect(none.code).toBe(0);
    expect(none.stdout + none.stderr).not.toContain('notification');
    expect(slack.requests.length + pd.requests.length).toBe(requestsBefore);
    const bad = await runCli(['run', file, '--notify', 'slak'], { home, env });
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim()).toBe(
      'faultline: --notify slak: unknown channel (did you mean "slack"?); use one of slack, pagerduty, webhook, none',
    );
  });
});
