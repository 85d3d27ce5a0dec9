/**
 * Did we get paged? faultline's Alertmanager webhook receiver: what it accepts and refuses over real
 * HTTP, and end to end: a real Prometheus evaluates an alert rule on a real exporter's gauge, a real
 * Alertmanager routes the alert to `faultline run --alerts-port`, and the experiment's fault (a
 * custom.action that flips the gauge) makes the rule fire: the report records the alert and mttdAlertMs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AlertHub, type ReceivedAlert, type RunReport } from '../src/index.js';
import { type AlertReceiver, startAlertReceiver } from '../src/observe/alertmanager.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { setGaugeCommand } from './support/monitoring-experiments.js';
import { freePort, waitFor } from './support/processes.js';
import { startAlertmanager, startExporter, startPrometheus, stopMonitoring } from './support/prometheus.js';

afterAll(() => stopMonitoring());

function payload(alerts: object[], extra: object = {}): object {
  return {
    version: '4',
    groupKey: '{}:{alertname="QueueStuck"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'faultline',
    groupLabels: { alertname: 'QueueStuck' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
    ...extra,
  };
}

const firing = {
  status: 'firing',
  labels: { alertname: 'QueueStuck', severity: 'page' },
  annotations: { summary: 'the queue is stuck' },
  startsAt: '2026-03-01T09:00:00.000Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph',
  fingerprint: 'a1b2c3',
};

describe('Alertmanager receiver', () => {
  let receiver: AlertReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('publishes each alert of a webhook payload, once per fingerprint, status and start', async () => {
    const hub = new AlertHub();
    const got: ReceivedAlert[] = [];
    hub.subscribe((a) => got.push(a));
    receiver = await startAlertReceiver(hub, { host: '127.0.0.1', port: 0 });
    const post = (body: object) =>
      fetch(receiver!.url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const first = await post(payload([firing]));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: 1, new: 1 });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ name: 'QueueStuck', status: 'firing', labels: { alertname: 'QueueStuck', severity: 'page' } });
    // a repeat notification of the same alert is not a new alert; its resolution is
    expect(await (await post(payload([firing]))).json()).toEqual({ received: 1, new: 0 });
    await post(payload([{ ...firing, status: 'resolved', endsAt: '2026-03-01T09:05:00.000Z' }], { status: 'resolved' }));
    expect(got.map((a) => a.status)).toEqual(['firing', 'resolved']);
    expect((await fetch(receiver.url.replace('/alerts', '/-/healthy'))).status).toBe(200);
  });

  it('answers 400 to anything that is not an Alertmanager payload, and records nothing', async () => {
    const hub = new AlertHub();
    const got: ReceivedAlert[] = [];
    hub.subscribe((a) => got.push(a));
    receiver = await startAlertReceiver(hub, { host: '127.0.0.1', port: 0 });
    const url = receiver.url;
    const cases: [string, string][] = [
      ['not json', 'the body is not JSON'],
      [JSON.stringify({ hello: 'world' }), 'not an Alertmanager webhook payload: version'],
      [JSON.stringify(payload([firing], { version: '3' })), 'expected version "4" (Alertmanager webhook), got "3"'],
      [JSON.stringify(payload([{ ...firing, labels: { severity: 'page' } }])), 'alerts.0.labels: labels.alertname is missing'],
      [JSON.stringify(payload([{ ...firing, status: 'burning' }])), 'alerts.0.status'],
      [JSON.stringify(payload([firing, { ...firing, startsAt: 'yesterday' }])), 'alerts.1.startsAt: expected an RFC 3339 time'],
      [JSON.stringify([firing]), 'not an Alertmanager webhook payload'],
    ];
    for (const [body, error] of cases) {
      const response = await fetch(url, { method: 'POST', body });
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain(error);
    }
    expect((await fetch(url)).status).toBe(405);
    expect((await fetch(url.replace('/alerts', '/elsewhere'), { method: 'POST', body: '{}' })).status).toBe(404);
    const huge = JSON.stringify(payload([{ ...firing, annotations: { summary: 'x'.repeat(2 * 1024 * 1024) } }]));
    expect((await fetch(url, { method: 'POST', body: huge })).status).toBe(413);
    expect(got).toEqual([]);
  });

  it('--alerts-port refuses a port that is taken, naming the flag', async () => {
    const hub = new AlertHub();
    receiver = await startAlertReceiver(hub, { host: '127.0.0.1', port: 0 });
    await expect(startAlertReceiver(hub, receiver.address)).rejects.toThrow(
      `--alerts-port 127.0.0.1:${receiver.address.port}: cannot listen: the address is in use`,
    );
  });
});

describe('did we get paged? (real Prometheus and Alertmanager)', () => {
  it('the fault makes the rule fire; Alertmanager pages faultline; the report has the alert, both MTTDs and the alert name', async () => {
    const exporter = await startExporter({ queue_stuck: 0 });
    const alertsPort = await freePort();
    const alertmanager = await startAlertmanager(`http://127.0.0.1:${alertsPort}/alerts`);
    const rules = `groups:
  - name: demo
    rules:
      - alert: QueueStuck
        expr: queue_stuck > 0
        labels: { severity: page }
        annotations: { summary: "the demo queue is stuck" }
`;
    const prometheus = await startPrometheus({ scrape: [exporter.address], rules, alertmanager: `127.0.0.1:${alertmanager.port}` });
    await waitFor(async () => (await fetch(`${prometheus.url}/api/v1/rules`)).ok, 10_000, 'the rules to load');

    const file = writeExperiment(
      'paged-when-the-queue-sticks',
      `
hypothesis: When the queue sticks, monitoring pages us within seconds.
probes:
  - name: queue
    type: prometheus
    prometheus: { endpoint: "${prometheus.url}", query: "queue_stuck" }
    expect: { value: 0 }
    interval: 250ms
steadyState: { probes: [ queue ], tolerance: { availability: { gte: 0 } }, recoveryTimeout: 15s }
method:
  - name: stick-the-queue
    fault: custom.action
    params:
      run: ${setGaugeCommand(exporter.url, 'queue_stuck', 1)}
      revert: ${setGaugeCommand(exporter.url, 'queue_stuck', 0)}
    duration: 40s
guards:
  stopWhen: [ { alert: QueueStuck } ]
`,
    );
    const reports = tempDir('faultline-reports-');
    const result = await runCli(['run', file, '--alerts-port', String(alertsPort), '--report-dir', reports, '--no-progress'], {
      home: tempHome(),
    });
    const output = result.stdout + result.stderr;
    expect(result.stderr, output).toContain(`receiving Alertmanager webhooks on http://127.0.0.1:${alertsPort}/alerts`);
    expect(result.code, `${output}\n${alertmanager.log()}\n${prometheus.log()}`).toBe(2);
    const json = readdirSync(reports).find((f) => f.endsWith('.json')) as string;
    const report = JSON.parse(readFileSync(join(reports, json), 'utf8')) as RunReport;
    expect(report.reason).toMatch(
      /stop condition tripped: alert QueueStuck fires \(alert QueueStuck received \(alertname=QueueStuck, .*severity=page\)\)/,
    );
    expect(report.alerts?.[0]).toMatchObject({
      name: 'QueueStuck',
      status: 'firing',
      labels: { alertname: 'QueueStuck', severity: 'page', job: 'test' },
    });
    // scrape (1s) + evaluation (1s) + Alertmanager group_wait (1s): paged within seconds, after the probe saw it
    const alertMs = report.measurements.mttdAlertMs as number;
    expect(alertMs).toBeGreaterThan(0);
    expect(alertMs).toBeLessThan(15_000);
    expect(report.measurements.mttdMs).not.toBeNull();
    expect(alertMs).toBeGreaterThanOrEqual(report.measurements.mttdMs as number);
    const md = readFileSync(join(reports, json.replace(/\.json$/, '.md')), 'utf8');
    expect(md).toMatch(/\| MTTD \| \d/);
    expect(md).toMatch(/\| MTTD \(alert\) \| \d/);
    // the alert resolves once the fault is reverted, often before the run ends
    expect(md).toMatch(/\| Alerts \| QueueStuck \(firing(, resolved)?\) \|/);
    expect(md).toMatch(/Monitoring paged: the first alert \(QueueStuck \(firing(, resolved)?\)\) arrived/);
  });
});
