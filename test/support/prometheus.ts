/**
 * The real monitoring stack from Debian's packages, started by tests on 127.0.0.1 with free ports and
 * temporary data folders: Prometheus (1s scrape and evaluation), Alertmanager (clustering off, 1s
 * group_wait), the Pushgateway, and a tiny exporter whose gauges a test sets. `stopMonitoring()`
 * kills whatever was started (call it in afterAll).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './processes.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';
export const PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';
export const PROMTOOL_BIN = '/usr/bin/promtool';

interface Started {
  child: ChildProcess;
  dir: string;
  log: () => string;
}

const running: Started[] = [];
const servers: Server[] = [];

export interface Daemon {
  url: string;
  port: number;
  pid: number;
  /** what the process printed so far (for failure messages) */
  log: () => string;
}

async function startDaemon(
  bin: string,
  args: (port: number, dir: string) => string[],
  readyPath: string,
  files: Record<string, string> = {},
): Promise<Daemon> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-monitoring-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const child = spawn(bin, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let output = '';
  const keep = (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const started: Started = { child, dir, log: () => output };
  running.push(started);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode}:\n${output}`);
        try {
          return (await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(1000) })).ok;
        } catch {
          return false;
        }
      },
      20_000,
      `${bin} to be ready on ${url}`,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return { url, port, pid: child.pid as number, log: started.log };
}

export interface PrometheusOptions {
  /** host:port of each target scraped every second (job "test") */
  scrape?: string[];
  /** a rule file's text (groups: ...) */
  rules?: string;
  /** host:port of an Alertmanager to send alerts to */
  alertmanager?: string;
  /** a whole prometheus.yml instead (its `rule_files: [rules.yml]` is `rules`), as a programme ships it */
  config?: string;
}

export function startPrometheus(options: PrometheusOptions = {}): Promise<Daemon> {
  const config =
    options.config ??
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms }',
      options.rules ? 'rule_files: [ rules.yml ]' : '',
      options.alertmanager ? `alerting: { alertmanagers: [ { static_configs: [ { targets: [ "${options.alertmanager}" ] } ] } ] }` : '',
      'scrape_configs:',
      `  - { job_name: test, static_configs: [ { targets: [ ${(options.scrape ?? []).map((t) => `"${t}"`).join(', ')} ] } ] }`,
    ].join('\n');
  return startDaemon(
    PROMETHEUS_BIN,
    (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--rules.alert.resend-delay=1s',
      '--log.level=warn',
    ],
    '/-/ready',
    { 'prometheus.yml': `${config}\n`, ...(options.rules ? { 'rules.yml': options.rules } : {}) },
  );
}

/**
 * Alertmanager that routes every alert to one webhook URL, with 1s group_wait and group_interval; or with
 * a whole alertmanager.yml (`config`), as a programme ships it.
 */
export function startAlertmanager(webhookUrl: string, config?: string): Promise<Daemon> {
  config ??= `route:
  receiver: faultline
  group_by: [ alertname ]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: faultline
    webhook_configs:
      - { url: "${webhookUrl}", send_resolved: true }
`;
  return startDaemon(
    ALERTMANAGER_BIN,
    (port, dir) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      '--cluster.listen-address=',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    '/-/ready',
    { 'alertmanager.yml': config },
  );
}

export function startPushgateway(): Promise<Daemon> {
  return startDaemon(PUSHGATEWAY_BIN, (port) => [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], '/-/ready');
}

/** One instant query; the result vector (`[]` when empty). */
export async function queryPrometheus(url: string, query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: never[] } };
  if (body.status !== 'success') throw new Error(`query ${query}: ${body.error}`);
  return body.data?.result ?? [];
}

export interface Exporter {
  url: string;
  /** host:port, for a scrape config */
  address: string;
  set(name: string, value: number): void;
}

/** A real exporter: GET /metrics serves the gauges a test sets; POST /set?name=N&value=V sets one over HTTP. */
export async function startExporter(initial: Record<string, number> = {}): Promise<Exporter> {
  const gauges = new Map(Object.entries(initial));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = [...gauges].map(([name, value]) => `# TYPE ${name} gauge\n${name} ${value}\n`).join('');
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/set') {
      gauges.set(url.searchParams.get('name') ?? '', Number(url.searchParams.get('value')));
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, address: `127.0.0.1:${port}`, set: (name, value) => void gauges.set(name, value) };
}

/** Kills every daemon and closes every exporter this file started; removes their folders. */
export async function stopMonitoring(): Promise<void> {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await Promise.all(
    running.splice(0).map(async ({ child, dir }) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }),
  );
}
