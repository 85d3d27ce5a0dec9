/**
 * OpenTelemetry traces of runs, exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. The SDK is imported only then, so the CLI starts fast
 * without it.
 *
 * One trace per run: a root span `run <experiment>` (attributes faultline.run_id, faultline.experiment,
 * faultline.verdict, faultline.seed, ...; events for stop conditions, halts, alerts, failures and the
 * verdict), a child span per method step and, under its step, a span per injection from the moment
 * the fault took effect to its revert. Every span carries faultline.run_id, so a user finds the run in
 * Jaeger or Tempo by that tag.
 *
 * The spans are built from the run's events (a RunListener records when each step began) and, once the
 * run has ended, its report (the run id, the verdict, the exact inject and revert times), with their
 * real start and end times: the engine needs no change, and a span never lacks the run id.
 */
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { RunEvent, RunListener } from '../engine/events.js';
import type { ReportFault, RunReport } from '../report/types.js';

/** Events of the timeline that become span events of the run. */
const SPAN_EVENTS = new Set([
  'stop-condition',
  'halted',
  'stalled',
  'alert',
  'probe-failed',
  'guard-refused',
  'inject-failed',
  'revert-failed',
  'teardown-failed',
  'rollback-failed',
  'error',
  'recovered',
]);

/** Whether traces are to be exported: an OTLP endpoint is set and the SDK is not disabled. */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/** The endpoint for messages: scheme, host and path, never credentials or a query. */
function shownEndpoint(env: NodeJS.ProcessEnv): string {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const raw = traces || `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim().replace(/\/$/, '')}/v1/traces`;
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'the OTLP endpoint';
  }
}

interface StepRecord {
  name: string;
  index: number;
  start: number;
  end: number | null;
}

/** What a run's events say about its steps: when each began and ended (the next began, or the method ended). */
export class StepRecorder {
  readonly steps: StepRecord[] = [];
  methodEndedAt: number | null = null;

  readonly listener: RunListener = (event: RunEvent) => {
    const now = Date.now();
    if (event.type === 'step') {
      this.closeOpen(now);
      this.steps.push({ name: event.name, index: event.index, start: now, end: null });
    } else if (event.type === 'phase' && (event.phase === 'after' || event.phase === 'done')) {
      this.closeOpen(now);
      this.methodEndedAt ??= now;
    }
  };

  private closeOpen(at: number): void {
    const open = this.steps.at(-1);
    if (open && open.end === null) open.end = at;
  }
}

/** One run's trace: the listener to pass to `runExperiment`, and `finish` once it returned. */
export interface RunTrace {
  listener: RunListener;
  /** builds and queues the spans of the run; returns the trace id */
  finish(report: RunReport): string;
}

export interface Tracing {
  /** where spans go, for messages */
  endpoint: string;
  startRun(): RunTrace;
  /** Flushes every queued span; returns one line describing a failure to export, or null. */
  shutdown(): Promise<string | null>;
}

type Api = typeof import('@opentelemetry/api');

const time = (ms: number) => new Date(ms);

function faultAttributes(runId: string, f: ReportFault): Attributes {
  const attributes: Attributes = {
    'faultline.run_id': runId,
    'faultline.step': f.step,
    'faultline.fault': f.fault,
    'faultline.target': f.target,
    'faultline.reverted': f.revertedAt !== null,
  };
  if (f.description) attributes['faultline.description'] = f.description;
  if (f.error) attributes['faultline.error'] = f.error;
  return attributes;
}

/** Writes the spans of one finished run through `tracer`; returns the trace id. */
export function emitRunSpans(api: Api, tracer: Tracer, recorder: StepRecorder, report: RunReport): string {
  const runId = report.runId;
  const started = Date.parse(report.startedAt);
  const ended = Date.parse(report.endedAt);
  const m = report.measurements;
  const rootAttributes: Attributes = {
    'faultline.run_id': runId,
    'faultline.experiment': report.experiment.name,
    'faultline.verdict': report.verdict,
    'faultline.reason': report.reason,
    'faultline.seed': report.seed,
  };
  if (report.experiment.file) rootAttributes['faultline.experiment_file'] = report.experiment.file;
  if (m.mttdMs !== null) rootAttributes['faultline.mttd_ms'] = m.mttdMs;
  if (m.mttrMs !== null) rootAttributes['faultline.mttr_ms'] = m.mttrMs;
  if (m.availability !== null) rootAttributes['faultline.availability'] = m.availability;
  const root = tracer.startSpan(
    `run ${report.experiment.name}`,
    { startTime: time(started), attributes: rootAttributes },
    api.ROOT_CONTEXT,
  );
  const rootContext = api.trace.setSpan(api.ROOT_CONTEXT, root);

  for (const e of report.timeline) {
    if (!SPAN_EVENTS.has(e.event)) continue;
    const at = Date.parse(e.t);
    root.addEvent(e.event, { 'faultline.run_id': runId, 'faultline.detail': e.detail }, Number.isFinite(at) ? time(at) : undefined);
  }

  // steps, each stretched to cover its injections (a fault held "until the method ends" outlives its step)
  const steps = recorder.steps.map((s) => ({ ...s, end: s.end ?? recorder.methodEndedAt ?? ended, faults: [] as ReportFault[] }));
  const unplaced: ReportFault[] = [];
  for (const f of report.faults) {
    const at = f.injectedAt === null ? null : Date.parse(f.injectedAt);
    const step = steps.find((s) => s.name === f.step) ?? (at === null ? undefined : steps.find((s) => at >= s.start && at <= s.end));
    (step ? step.faults : unplaced).push(f);
  }
  const faultTimes = (f: ReportFault, fallback: number): [number, number] => {
    const start = f.injectedAt === null ? fallback : Date.parse(f.injectedAt);
    const end = f.revertedAt === null ? (f.injectedAt === null ? start : ended) : Date.parse(f.revertedAt);
    return [start, Math.max(start, end)];
  };
  const emitFaults = (faults: ReportFault[], parent: Context, fallback: number) => {
    for (const f of faults) {
      const [start, end] = faultTimes(f, fallback);
      const span = tracer.startSpan(`inject ${f.fault}`, { startTime: time(start), attributes: faultAttributes(runId, f) }, parent);
      if (f.error) span.setStatus({ code: api.SpanStatusCode.ERROR, message: f.error });
      span.end(time(end));
    }
  };
  for (const s of steps) {
    const end = Math.max(s.end, ...s.faults.map((f) => faultTimes(f, s.start)[1]));
    const span: Span = tracer.startSpan(
      `step ${s.name}`,
      { startTime: time(s.start), attributes: { 'faultline.run_id': runId, 'faultline.step': s.name, 'faultline.step_index': s.index } },
      rootContext,
    );
    emitFaults(s.faults, api.trace.setSpan(api.ROOT_CONTEXT, span), s.start);
    span.end(time(end));
  }
  emitFaults(unplaced, rootContext, started);

  root.addEvent(
    'verdict',
    { 'faultline.run_id': runId, 'faultline.verdict': report.verdict, 'faultline.reason': report.reason },
    time(ended),
  );
  if (report.verdict === 'passed') root.setStatus({ code: api.SpanStatusCode.OK });
  else if (report.verdict !== 'interrupted')
    root.setStatus({ code: api.SpanStatusCode.ERROR, message: `${report.verdict}: ${report.reason}` });
  root.end(time(ended));
  return root.spanContext().traceId;
}

/** Passes spans on, and remembers the last failure to report it as one line. */
class WatchedExporter implements SpanExporter {
  failure: string | null = null;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      if (result.code !== 0) this.failure = result.error?.message ?? 'the export failed';
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Starts exporting traces when OTLP is configured; null (and nothing loaded) when it is not. */
export async function startTracing(options: { env?: NodeJS.ProcessEnv; version?: string } = {}): Promise<Tracing | null> {
  const env = options.env ?? process.env;
  if (!tracingEnabled(env)) return null;
  const [api, sdk, otlp, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  // a collector that is down must not hold the CLI for the exporter's default 10s of retries
  const timeoutSet = Boolean(env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT?.trim() || env.OTEL_EXPORTER_OTLP_TIMEOUT?.trim());
  const exporter = new WatchedExporter(new otlp.OTLPTraceExporter({ keepAlive: false, ...(timeoutSet ? {} : { timeoutMillis: 5000 }) }));
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the defaults
  const resource = resources
    .resourceFromAttributes({ 'service.name': 'faultline', ...(options.version ? { 'service.version': options.version } : {}) })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.NodeTracerProvider({ resource, spanProcessors: [new sdk.BatchSpanProcessor(exporter)] });
  const tracer = provider.getTracer('faultline', options.version);
  const endpoint = shownEndpoint(env);
  return {
    endpoint,
    startRun() {
      const recorder = new StepRecorder();
      return { listener: recorder.listener, finish: (report) => emitRunSpans(api, tracer, recorder, report) };
    },
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), 15_000);
      });
      try {
        const outcome = await Promise.race([provider.shutdown().then(() => 'done' as const), timeout]);
        if (outcome === 'timeout') return `traces could not be sent to ${endpoint} within 15s`;
      } catch (error) {
        return `traces could not be exported to ${endpoint}: ${(error as Error).message}`;
      } finally {
        clearTimeout(timer);
      }
      return exporter.failure === null ? null : `traces could not be exported to ${endpoint}: ${exporter.failure}`;
    },
  };
}

/** Several listeners as one. */
export function allListeners(...listeners: (RunListener | undefined)[]): RunListener {
  const present = listeners.filter((l): l is RunListener => l !== undefined);
  return (event) => {
    for (const listener of present) listener(event);
  };
}
