// OpenTelemetry traces of a real `faultline run`, exported over OTLP/HTTP to a local receiver that
// decodes the JSON encoding: a root span per run with the run id, verdict and seed, a child span per
// step and per injection, span events for the stop condition and the verdict. The SDK is loaded only
// when an OTLP endpoint is set, and an endpoint that is down costs one line, not the run.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/report/types.js';
import { type CliResult, runCli, tempDir, tempHome } from './support/cli.js';
import { type FakeOtlp, type ReceivedSpan, startFakeOtlp } from './support/fake-otlp.js';
import { unusedPort } from './support/fake-pagerduty.js';
import { killStarted } from './support/processes.js';
import { startWebSystem, type WebSystem, writeWebExperiment } from './support/web-experiment.js';

const STOP_WHEN = `    stopWhen:
      - probe: home
        failureRate: { gt: 0.2 }
        window: 1s`;

describe('traces over OTLP/HTTP', () => {
  let system: WebSystem;
  let otlp: FakeOtlp;
  let result: CliResult;
  let report: RunReport;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    system = await startWebSystem();
    otlp = await startFakeOtlp();
    const file = writeWebExperiment(system, { name: 'web-traced', pause: 'web', pauseFor: '4s', guards: STOP_WHEN });
    const reportDir = join(system.dir, 'reports');
    result = await runCli(['run', file, '--report-dir', reportDir], {
      home: tempHome(),
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_SERVICE_NAME: '' },
    });
    const json = readdirSync(reportDir).find((f) => f.endsWith('.json')) as string;
    report = JSON.parse(readFileSync(join(reportDir, json), 'utf8'));
    spans = otlp.spans();
  });

  afterAll(async () => {
    killStarted();
    await otlp?.close();
  });

  const root = () => spans.find((s) => s.parentSpanId === null) as ReceivedSpan;

  it('exports one trace for the run, flushed before the CLI exits', () => {
    expect(report.verdict, result.stdout + result.stderr).toBe('aborted');
    expect(result.code).toBe(2);
    expect(otlp.requests.length).toBeGreaterThan(0);
    expect(otlp.requests.every((r) => r.path === '/v1/traces' && String(r.headers['content-type']).startsWith('application/json'))).toBe(
      true,
    );
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(spans.filter((s) => s.parentSpanId === null)).toHaveLength(1);
  });

  it('has a root span with the run id, experiment, verdict and seed, as service faultline', () => {
    const r = root();
    expect(r.name).toBe('run web-traced');
    expect(r.attributes).toMatchObject({
      'faultline.run_id': report.runId,
      'faultline.experiment': 'web-traced',
      'faultline.verdict': 'aborted',
      'faultline.seed': report.seed,
    });
    expect(r.status.code).toBe(2); // ERROR
    expect(r.status.message).toContain('aborted: stop condition tripped');
    expect(r.resource['service.name']).toBe('faultline');
    expect(r.startMs).toBe(Date.parse(report.startedAt));
    expect(r.endMs).toBe(Date.parse(report.endedAt));
  });

  it('records the stop condition and the verdict as span events', () => {
    const events = root().events;
    const stop = events.find((e) => e.name === 'stop-condition');
    expect(stop?.attributes['faultline.detail']).toMatch(/failureRate/);
    const verdict = events.find((e) => e.name === 'verdict');
    expect(verdict?.attributes).toMatchObject({ 'faultline.verdict': 'aborted', 'faultline.run_id': report.runId });
    expect(verdict?.attributes['faultline.reason']).toBe(report.reason);
  });

  it('has a child span per step, and under it a span per injection from inject to revert', () => {
    const step = spans.find((s) => s.name === 'step freeze-web');
    expect(step?.parentSpanId).toBe(root().spanId);
    const inject = spans.find((s) => s.name === 'inject process.pause');
    expect(inject?.parentSpanId).toBe(step?.spanId);
    const fault = report.faults[0];
    expect(inject?.attributes).toMatchObject({
      'faultline.fault': 'process.pause',
      'faultline.target': fault?.target,
      'faultline.reverted': true,
    });
    expect(inject?.startMs).toBe(Date.parse(fault?.injectedAt ?? ''));
    expect(inject?.endMs).toBe(Date.parse(fault?.revertedAt ?? ''));
    // aborted by the stop condition well before the 4s the step asked for
    expect((inject?.endMs ?? 0) - (inject?.startMs ?? 0)).toBeLessThan(3500);
  });

  it('puts the run id in every span and in the line that names the trace', () => {
    for (const span of spans) expect(span.attributes['faultline.run_id'], span.name).toBe(report.runId);
    expect(result.stdout).toContain(`run ${report.runId}: trace ${root().traceId} (OTLP ${otlp.endpoint}/v1/traces)`);
  });
});

describe('tracing configuration', () => {
  let system: WebSystem;
  let hook: string;
  beforeAll(async () => {
    system = await startWebSystem();
    // a module hook that logs every @opentelemetry import of the CLI process
    const dir = tempDir('faultline-import-log-');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@opentelemetry/')) appendFileSync(${JSON.stringify(join(dir, 'imports.log'))}, specifier + '\\n');
  return next(specifier, context);
}
`,
    );
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
    hook = dir;
  });
  afterAll(() => killStarted());

  const imports = () => {
    try {
      return readFileSync(join(hook, 'imports.log'), 'utf8');
    } catch {
      return '';
    }
  };

  it('does not load OpenTelemetry unless an OTLP endpoint is set', async () => {
    const file = writeWebExperiment(system, { name: 'web-untraced', pause: 'sleeper', pauseFor: '300ms' });
    const plain = await runCli(['run', file], {
      home: tempHome(),
      env: {
        NODE_OPTIONS: `--import=${join(hook, 'register.mjs')}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
      },
    });
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain('trace ');
    expect(imports()).toBe('');
  });

  it('reports an OTLP endpoint that is down in one line, with the run id, and keeps the exit code', async () => {
    const port = await unusedPort();
    const file = writeWebExperiment(system, { name: 'web-collector-down', pause: 'sleeper', pauseFor: '300ms' });
    const started = Date.now();
    const down = await runCli(['run', file], {
      home: tempHome(),
      env: {
        NODE_OPTIONS: `--import=${join(hook, 'register.mjs')}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_TIMEOUT: '1500',
      },
    });
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(imports()).toContain('@opentelemetry/sdk-trace-node');
    const runId = /run (\d{8}T\d{6}-[0-9a-f]{6})/.exec(down.stdout)?.[1];
    expect(runId).toBeDefined();
    const lines = down.stderr.split('\n').filter((l) => l.includes('traces'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^faultline: traces could not be exported to http://127\\.0\\.0\\.1:${port}/v1/traces: .+ \\(run ${runId}\\)$`),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
