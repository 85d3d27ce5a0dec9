/**
 * deploy/observability/: the alert rules pass `promtool check rules` and their unit tests (`promtool
 * test rules`), the example Prometheus and Alertmanager configurations pass their checkers, and the
 * Grafana dashboard is valid JSON whose queries a real Prometheus accepts and name only metrics faultline
 * exports.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRIC_NAMES } from '../src/observe/metrics.js';
import { ROOT } from './support/cli.js';
import { PROMTOOL_BIN, startPrometheus, stopMonitoring } from './support/prometheus.js';

const DIR = join(ROOT, 'deploy/observability');
const run = promisify(execFile);

afterAll(() => stopMonitoring());

/** Every metric faultline exports, with the series a histogram adds. */
const HISTOGRAMS = ['faultline_experiment_duration_seconds', 'faultline_mttd_seconds', 'faultline_mttr_seconds'];
const KNOWN = new Set([
  ...METRIC_NAMES,
  ...HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
  'push_time_seconds', // added by the Pushgateway to every pushed group
]);

function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(faultline_[a-z_]+|push_time_seconds)\b/g)].map((m) => m[1] as string);
}

interface Dashboard {
  title: string;
  panels: { title: string; type: string; targets: { expr: string }[] }[];
  templating: { list: { name: string; query: { query: string } }[] };
}

const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
const rules = parse(readFileSync(join(DIR, 'faultline-rules.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };

describe('deploy/observability', () => {
  it('the alert rules pass promtool check rules and their unit tests', async () => {
    const checked = await run(PROMTOOL_BIN, ['check', 'rules', join(DIR, 'faultline-rules.yml')]);
    expect(checked.stdout).toContain('SUCCESS: 8 rules found');
    const tested = await run(PROMTOOL_BIN, ['test', 'rules', 'faultline-rules.test.yml', 'faultline-rules-daily.test.yml'], { cwd: DIR });
    expect(tested.stdout).toContain('SUCCESS');
  });

  it('the example Prometheus and Alertmanager configurations are valid', async () => {
    const prometheus = await run(PROMTOOL_BIN, ['check', 'config', 'prometheus.yml'], { cwd: DIR });
    expect(prometheus.stdout).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    const alertmanager = await run('/usr/bin/amtool', ['check-config', 'alertmanager.yml'], { cwd: DIR });
    expect(alertmanager.stdout).toContain('SUCCESS');
    const config = parse(readFileSync(join(DIR, 'alertmanager.yml'), 'utf8')) as {
      receivers: { name: string; webhook_configs?: { url: string }[] }[];
    };
    expect(config.receivers.find((r) => r.name === 'faultline')?.webhook_configs?.[0]?.url).toMatch(/\/alerts$/);
  });

  it('rules and dashboard name only metrics that faultline exports', () => {
    const exprs = [
      ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)),
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list.map((v) => v.query.query),
    ];
    const names = new Set(exprs.flatMap(metricNames));
    expect([...names].filter((n) => !KNOWN.has(n))).toEqual([]);
    // and every metric is used somewhere
    expect(METRIC_NAMES.filter((m) => ![...names].some((n) => n.startsWith(m)))).toEqual([]);
  });

  it('the dashboard has the panels the issue names, and a real Prometheus accepts every query', async () => {
    expect(dashboard.title).toBe('faultline: chaos experiments');
    const titles = dashboard.panels.map((p) => p.title);
    for (const wanted of ['Experiment verdicts over time', 'MTTD (time to detect)', 'MTTR (time to recover)', 'Active experiments']) {
      expect(titles).toContain(wanted);
    }
    const ids = dashboard.panels.map((p) => (p as unknown as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
    const prometheus = await startPrometheus();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const query = target.expr.replace(/\$__(rate_interval|interval|range)/g, '5m').replace(/\$experiment/g, '.*');
        const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`);
        const body = (await response.json()) as { status: string; error?: string };
        expect(body, `${panel.title}: ${query}`).toMatchObject({ status: 'success' });
      }
    }
  });
});
