/**
 * Network and HTTP faults in experiments, end to end through the CLI: a target with an endpoint gets a
 * proxy for the whole run, the fault adds a toxic to it and reverts it; a target attached to a
 * `faultline proxy` gets its toxics through the API. Bad input stops the run with one line, exit 3,
 * before anything changes.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { runCli, startCli, tempDir, tempHome, waitForOutput } from './support/cli.js';
import { freePort, portOpen, waitFor } from './support/processes.js';
import { type HttpTestServer, httpServer } from './support/proxy-net.js';

let web: HttpTestServer;

beforeAll(async () => {
  web = await httpServer((req, res) => {
    const body = JSON.stringify({ ok: true, url: req.url });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  });
});
afterAll(() => web.close());

function experiment(name: string, body: string, dir = tempDir()): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: ${name} }\nspec:\n${body.replace(/^/gm, '  ')}\n`);
  return file;
}

function readReport(dir: string): RunReport {
  const file = readdirSync(dir).find((f) => f.endsWith('.json')) as string;
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

function endpointTarget(listen: number, upstream = web.port): string {
  return `targets:
  - name: web
    labels: { app: web }
    endpoint: { listen: "127.0.0.1:${listen}", upstream: "127.0.0.1:${upstream}" }`;
}

function probe(port: number): string {
  return `probes:
  - name: home
    type: http
    http: { url: "http://127.0.0.1:${port}/home", timeout: 2s }
    interval: 100ms`;
}

describe('faults on an endpoint target (a proxy for the run)', () => {
  it('network.latency slows the traffic through the proxy while it is held, then the proxy goes away', async () => {
    const listen = await freePort();
    const dir = tempDir();
    const file = experiment(
      'slow-web',
      `hypothesis: The home page stays under 200ms at p95 when the network adds 300ms.
${endpointTarget(listen)}
${probe(listen)}
steadyState:
  probes: [home]
  tolerance: { latencyP95Ms: { lt: 200 } }
  recoveryTimeout: 5s
method:
  - fault: network.latency
    selector: { names: [web] }
    params: { latency: 300ms, jitter: 10ms }
    duration: 1500ms`,
      dir,
    );
    const result = await runCli(['run', file, '--report-dir', join(dir, 'reports')], { home: tempHome() });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const report = readReport(join(dir, 'reports'));
    expect(report.verdict).toBe('failed');
    expect(report.reason).toMatch(/latencyP95Ms/);
    expect(report.faults[0]).toMatchObject({ fault: 'network.latency', target: 'web', error: null });
    expect(report.faults[0]?.description).toMatch(
      new RegExp(`add 300ms ±10ms latency to downstream traffic through web's proxy 127.0.0.1:${listen} -> 127.0.0.1:${web.port}`),
    );
    expect(report.measurements.latencyMs.during.p50 as number).toBeGreaterThanOrEqual(290);
    expect(report.measurements.latencyMs.before.p50 as number).toBeLessThan(100);
    expect(report.measurements.latencyMs.after.p50 as number).toBeLessThan(100);
    expect(await portOpen(listen)).toBe(false); // the run's proxy is closed with the run
  });

  it('http.abort at 50% makes about half of the requests fail without reaching the upstream', async () => {
    const listen = await freePort();
    const dir = tempDir();
    const before = web.requests.length;
    const file = experiment(
      'abort-web',
      `hypothesis: The home page answers 200 even when half of the requests are aborted with 503.
${endpointTarget(listen)}
${probe(listen)}
steadyState:
  probes: [home]
  tolerance: { availability: { gte: 0.99 } }
  recoveryTimeout: 5s
method:
  - fault: http.abort
    selector: { labels: { app: web } }
    params: { code: 503, percent: 50, path: /home }
    duration: 2s`,
      dir,
    );
    const result = await runCli(['run', file, '--report-dir', join(dir, 'reports'), '--seed', '1'], { home: tempHome() });
    expect(result.code).toBe(1);
    const report = readReport(join(dir, 'reports'));
    const availability = report.measurements.availabilityByPhase.during;
    expect(availability as number).toBeGreaterThan(0.2);
    expect(availability as number).toBeLessThan(0.8);
    const samples = report.probes.find((p) => p.name === 'home');
    expect(samples?.lastFailure).toMatch(/503/);
    // every failed sample was answered by the proxy: the upstream saw only the successful ones
    expect(web.requests.length - before).toBe(samples?.ok);
  });

  it('a dry run describes the toxics without starting anything', async () => {
    const listen = await freePort();
    const file = experiment(
      'dry',
      `hypothesis: dry.
${endpointTarget(listen)}
method:
  - fault: network.bandwidth
    selector: { names: [web] }
    params: { rate: 1mbps, stream: both }
    duration: 5s
  - fault: message.tamper
    selector: { names: [web] }
    params: { framing: http, duplicate: 10, stream: upstream, match: { method: POST } }
    duration: 5s`,
    );
    const result = await runCli(['run', file, '--dry-run'], { home: tempHome() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/limit both traffic to 1 MB\/s through web's proxy/);
    expect(result.stdout).toMatch(/tamper with upstream http messages \(duplicate 10%\)/);
    expect(await portOpen(listen)).toBe(false);
  });
});

describe('faults on a target attached to a faultline proxy', () => {
  it('adds the toxic through the API while the fault is held and removes it after', async () => {
    const apiPort = await freePort();
    const listen = await freePort();
    const server = startCli(['proxy', '--port', String(apiPort), '--proxy', `shop=127.0.0.1:${listen},127.0.0.1:${web.port}`], {
      home: tempHome(),
    });
    try {
      await waitForOutput(server, 'ready', 15_000, 'faultline proxy');
      const api = `http://127.0.0.1:${apiPort}`;
      const dir = tempDir();
      const file = experiment(
        'attached',
        `hypothesis: The shop stays up while its upstream traffic is cut.
targets:
  - name: shop
    endpoint: { proxy: shop, api: "${api}" }
method:
  - fault: network.partition
    selector: { names: [shop] }
    duration: 2s`,
        dir,
      );
      const run = startCli(['run', file], { home: tempHome() });
      const toxics = async () => ((await (await fetch(`${api}/proxies/shop/toxics`)).json()) as { type: string; stream: string }[]) ?? [];
      await waitFor(async () => (await toxics()).length === 2, 15_000, 'the blackhole toxics on the shop proxy');
      expect((await toxics()).map((t) => `${t.type}/${t.stream}`).sort()).toEqual(['blackhole/downstream', 'blackhole/upstream']);
      const result = await run.done;
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(await toxics()).toEqual([]);
      expect(await portOpen(listen)).toBe(true); // the long-lived proxy stays
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
  });

  it('a proxy name the API does not know: one line, exit 3', async () => {
    const apiPort = await freePort();
    const server = startCli(['proxy', '--port', String(apiPort)], { home: tempHome() });
    try {
      await waitForOutput(server, 'ready', 15_000, 'faultline proxy');
      const file = experiment(
        'unknown-proxy',
        `hypothesis: x.
targets:
  - name: shop
    endpoint: { proxy: nosuch, api: "http://127.0.0.1:${apiPort}" }
method:
  - fault: network.latency
    selector: { names: [shop] }
    params: { latency: 10ms }
    duration: 1s`,
      );
      const result = await runCli(['run', file], { home: tempHome() });
      expect(result.code).toBe(3);
      expect(result.stdout).toMatch(/target shop: the proxy API at http:\/\/127\.0\.0\.1:\d+ has no proxy named nosuch/);
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
  });
});

describe('bad input: one clear line, exit 3, nothing changed', () => {
  const latency = (listen: number, upstream: number, params = '{ latency: 100ms }') =>
    experiment(
      'bad',
      `hypothesis: x.
${endpointTarget(listen, upstream)}
method:
  - fault: network.latency
    selector: { names: [web] }
    params: ${params}
    duration: 1s`,
    );

  it('a listen port in use', async () => {
    const home = tempHome();
    const result = await runCli(['run', latency(web.port, web.port)], { home });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(
      new RegExp(`target web: cannot listen on 127.0.0.1:${web.port} for proxy web: the port is in use; choose another port`),
    );
    expect((await runCli(['recover'], { home })).stdout).toMatch(/nothing to recover/);
  });

  it('an upstream that refuses connections', async () => {
    const listen = await freePort();
    const closed = await freePort();
    const result = await runCli(['run', latency(listen, closed)], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(
      new RegExp(`target web: its upstream 127.0.0.1:${closed} refuses connections \\(ECONNREFUSED\\); start it, or fix endpoint.upstream`),
    );
    expect(await portOpen(listen)).toBe(false);
  });

  it('an unknown param, with its position and a suggestion', async () => {
    const file = latency(await freePort(), web.port, '{ latenci: 100ms }');
    const result = await runCli(['run', file], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/bad\.yaml:\d+:\d+: .*unknown field "latenci" \(did you mean "latency"\?\)/);
  });

  it('a percentage over 100', async () => {
    const listen = await freePort();
    const file = experiment(
      'over',
      `hypothesis: x.
${endpointTarget(listen)}
method:
  - fault: http.abort
    selector: { names: [web] }
    params: { percent: 150 }
    duration: 1s`,
    );
    const result = await runCli(['run', file], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/over\.yaml:\d+:\d+: .*percent.*between 0 and 100/);
    expect(await portOpen(listen)).toBe(false);
  });

  it('a network fault on a target without an endpoint', async () => {
    const file = experiment(
      'no-endpoint',
      `hypothesis: x.
targets:
  - name: web
    process: { pid: ${process.pid} }
method:
  - fault: network.latency
    selector: { names: [web] }
    params: { latency: 10ms }
    duration: 1s`,
    );
    const result = await runCli(['run', file], { home: tempHome() });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/target web has no endpoint; add endpoint: \{ listen, upstream \}/);
  });
});
