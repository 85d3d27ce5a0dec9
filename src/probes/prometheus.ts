/**
 * prometheus probe: one instant PromQL query through the HTTP API (`/api/v1/query`); the value of
 * every series it returns must satisfy `expect.value`. A Prometheus that is down, a query that
 * errors, an empty result or a value that is not a number fail the sample, saying why.
 */
import { lookup } from 'node:dns/promises';
import { compareNumber, describeNumber, numberComparatorSchema } from '../spec/comparators.js';
import { duration, strict } from '../spec/fields.js';
import { UserError } from '../util/errors.js';
import { z } from '../util/zod.js';
import { firstNumberMismatch } from './expect.js';
import { registerProbeType } from './registry.js';

const config = strict({
  endpoint: z.url({
    protocol: /^https?$/,
    error: (i) => `expected the base URL of Prometheus such as http://127.0.0.1:9090, got ${JSON.stringify(i.input)}`,
  }),
  query: z.string().min(1, { message: 'expected a PromQL expression' }),
  headers: z.record(z.string(), z.string()).optional().describe('e.g. Authorization for a Prometheus behind a proxy'),
  timeout: duration.optional(),
});

const expect = strict({
  value: numberComparatorSchema.optional().describe('every series of the result must satisfy it; default: any number'),
  latencyMs: numberComparatorSchema.optional(),
});

type Config = z.infer<typeof config>;
type Expect = z.infer<typeof expect>;

/** The parts of an API answer we read (https://prometheus.io/docs/prometheus/latest/querying/api/). */
const answerSchema = z.object({
  status: z.enum(['success', 'error']),
  errorType: z.string().optional(),
  error: z.string().optional(),
  data: z
    .object({
      resultType: z.enum(['vector', 'scalar', 'matrix', 'string']),
      result: z.unknown(),
    })
    .optional(),
});
const sampleValue = z.tuple([z.number(), z.string()]);
const vector = z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue }));

interface Series {
  labels: Record<string, string>;
  value: number;
}

/** The query's result as series with a value, or the reason it cannot be judged. */
export async function instantQuery(
  c: Config,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ series: Series[]; failure: null } | { series: null; failure: string }> {
  const url = `${c.endpoint.replace(/\/+$/, '')}/api/v1/query`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...c.headers },
      body: new URLSearchParams({ query: c.query }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (error) {
    return { series: null, failure: `Prometheus ${c.endpoint} unreachable: ${fetchFailure(error, timeoutMs)}` };
  }
  let parsed: z.infer<typeof answerSchema>;
  try {
    const text = await response.text();
    const answer = answerSchema.safeParse(JSON.parse(text));
    if (!answer.success) throw new Error('not an API answer');
    parsed = answer.data;
  } catch {
    return { series: null, failure: `${c.endpoint} answered ${response.status} without a Prometheus API answer; is it Prometheus?` };
  }
  if (parsed.status === 'error') {
    return { series: null, failure: `query failed (${parsed.errorType ?? response.status}): ${parsed.error ?? 'no reason given'}` };
  }
  const data = parsed.data;
  if (!data) return { series: null, failure: 'Prometheus answered success without data' };
  if (data.resultType === 'scalar') {
    const value = sampleValue.safeParse(data.result);
    return value.success ? { series: [{ labels: {}, value: promNumber(value.data[1]) }], failure: null } : malformed();
  }
  if (data.resultType !== 'vector') {
    return { series: null, failure: `the query returns a ${data.resultType}; write one that returns an instant vector or a scalar` };
  }
  const result = vector.safeParse(data.result);
  if (!result.success) return malformed();
  if (result.data.length === 0) return { series: null, failure: `the query returned no series: ${c.query}` };
  return { series: result.data.map((s) => ({ labels: s.metric, value: promNumber(s.value[1]) })), failure: null };
}

/** Prometheus writes sample values as strings, infinities as `+Inf` and `-Inf`. */
function promNumber(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function malformed() {
  return { series: null, failure: 'Prometheus answered a result of an unexpected shape' } as const;
}

function showSeries(s: Series): string {
  const labels = Object.entries(s.labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return labels ? `{${labels}}` : 'value';
}

registerProbeType<Config, Expect>({
  type: 'prometheus',
  summary: 'an instant PromQL query; expectations on value (every series) and latencyMs',
  config,
  expect,
  async preflight({ endpoint }) {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    try {
      await lookup(host);
    } catch {
      throw new UserError(`Prometheus endpoint ${endpoint}: host "${host}" does not resolve; check the URL`);
    }
  },
  async check(c, e, { timeoutMs, signal }) {
    const started = performance.now();
    const result = await instantQuery(c, timeoutMs, signal);
    const latencyMs = performance.now() - started;
    if (result.failure !== null) return { ok: false, latencyMs, detail: result.failure };
    const notANumber = result.series.find((s) => Number.isNaN(s.value));
    if (notANumber) return { ok: false, latencyMs, detail: `${showSeries(notANumber)} is NaN` };
    const expected = e.value;
    const broken = expected ? result.series.find((s) => !compareNumber(s.value, expected)) : undefined;
    if (broken && expected) {
      const more = result.series.length > 1 ? ` (1 of ${result.series.length} series)` : '';
      return { ok: false, latencyMs, detail: `${showSeries(broken)} ${broken.value}, expected ${describeNumber(expected)}${more}` };
    }
    const mismatch = firstNumberMismatch([['latencyMs', latencyMs, e.latencyMs]]);
    const shown = result.series.length === 1 ? `${result.series[0]?.value}` : `${result.series.length} series`;
    return { ok: mismatch === null, latencyMs, detail: mismatch ?? `${shown} in ${Math.round(latencyMs)}ms` };
  },
});

function fetchFailure(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs}ms`;
  if (err.name === 'AbortError') return 'aborted';
  return err.cause?.code ?? err.cause?.message ?? err.message;
}
