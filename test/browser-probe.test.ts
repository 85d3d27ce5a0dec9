/**
 * The browser probe, run by the real CLI: a page that answers 200 with an error banner is healthy to an
 * http probe and degraded to a browser probe; the failed samples keep a screenshot and the console
 * errors with the run, shown in the HTML report; `faultline run` exits (the browser is closed); bad
 * input says what to fix.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { writeExperiment } from './support/experiment.js';
import { freePort } from './support/processes.js';

let server: Server;
let port: number;

// a page that is up (200) but shows the user an error, and logs one to the console
const DEGRADED = `<!doctype html><title>Orders</title><h1>Orders</h1>
<div class="banner" role="alert">provider unavailable, retrying with the fallback</div>
<script>console.error('payments: 503 from provider a')</script>`;

beforeAll(async () => {
  port = await freePort();
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(DEGRADED));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
});

afterAll(() => server.close());

const probes = () => `
hypothesis: The orders page works.
probes:
  - name: api-status
    type: http
    http: { url: "http://127.0.0.1:${port}/" }
    interval: 300ms
  - name: orders-page
    type: browser
    browser:
      url: "http://127.0.0.1:${port}/"
      steps:
        - goto: /
        - expectStatus: 200
        - expectTitle: Orders
        - expectVisible: h1
        - expectText: { notMatches: "unavailable" }
    interval: 500ms
    timeout: 3s
steadyState:
  probes: [ api-status ]
  tolerance: { availability: { gte: 0.99 } }
  baseline: 3s
method:
  - pause: 1500ms
`;

describe('browser probe', () => {
  it('calls a 200 with an error banner degraded where an http probe calls it healthy, and keeps the evidence', async () => {
    const home = tempHome();
    const dir = tempDir();
    const file = writeExperiment('degraded-page', probes(), dir);
    const reports = join(dir, 'reports');
    const run = await runCli(['run', file, '--report-dir', reports], { home });
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    const json = readdirSync(reports).find((f) => f.endsWith('.json')) as string;
    const report = JSON.parse(readFileSync(join(reports, json), 'utf8')) as RunReport;
    const byName = new Map(report.probes.map((p) => [p.name, p]));
    expect(byName.get('api-status')?.failed).toBe(0);
    expect(byName.get('api-status')?.ok).toBeGreaterThan(0);
    const page = byName.get('orders-page');
    expect(page?.samples).toBeGreaterThan(0);
    expect(page?.ok).toBe(0);
    expect(page?.lastFailure).toMatch(/step 5 expectText .* failed: text ".*provider unavailable/);
    expect(page?.lastFailure).toContain('console errors: payments: 503 from provider a');
    // kept with the run, shown in the HTML report
    const artifacts = join(home, 'artifacts', report.runId);
    expect(readdirSync(artifacts).filter((f) => f.endsWith('.png')).length).toBeGreaterThan(0);
    const html = readFileSync(join(reports, json.replace(/\.json$/, '.html')), 'utf8');
    expect(html).toContain('data:image/png;base64,');
    expect(html).toContain('payments: 503 from provider a');
  }, 90_000);

  it('passes on a healthy page, and keeps nothing', async () => {
    const home = tempHome();
    const dir = tempDir();
    const file = writeExperiment(
      'healthy-page',
      `
hypothesis: The orders page works.
probes:
  - name: orders-page
    type: browser
    browser:
      url: "http://127.0.0.1:${port}/"
      steps: [ { goto: / }, { expectText: Orders, selector: h1 }, { expectVisible: "role=alert" } ]
    interval: 400ms
steadyState:
  probes: [ orders-page ]
  tolerance: { availability: { gte: 1 } }
  baseline: 4s # a browser sample takes a second or so: the baseline needs a few
method:
  - pause: 2s
`,
      dir,
    );
    const run = await runCli(['run', file, '--report-dir', join(dir, 'r')], { home });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const json = readdirSync(join(dir, 'r')).find((f) => f.endsWith('.json')) as string;
    const report = JSON.parse(readFileSync(join(dir, 'r', json), 'utf8')) as RunReport & { timeline: { detail: string }[] };
    expect(report.probes[0]?.failed).toBe(0);
    expect(existsSync(join(home, 'artifacts', report.runId))).toBe(false);
  }, 90_000);

  it('says which Chromium it tried and how to set it, and which step is malformed', async () => {
    const home = tempHome();
    const dir = tempDir();
    const spec = probes().replace('steadyState:', 'steadyState:').replace('api-status ]', 'orders-page ]');
    const file = writeExperiment('no-chromium', spec, dir);
    const run = await runCli(['run', file], { home, env: { FAULTLINE_CHROMIUM: '/opt/no/chromium' } });
    expect(run.code).toBe(3);
    expect(run.stdout + run.stderr).toContain('Chromium cannot start from /opt/no/chromium');
    expect(run.stdout + run.stderr).toContain('set FAULTLINE_CHROMIUM to its path');
    const bad = writeExperiment('bad-step', probes().replace('- expectVisible: h1', '- expectVisibel: h1'), dir);
    const validate = await runCli(['validate', bad], { home });
    expect(validate.code).toBe(3);
    expect(validate.stderr).toMatch(
      /bad-step\.yaml:\d+:\d+: spec\.probes\[1\]\.browser\.steps\[3\]: expected a step with one of goto, click/,
    );
  }, 60_000);
});
