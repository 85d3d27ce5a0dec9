/** http probe: one request; expectations on status, latency, body and headers. */
import { lookup } from 'node:dns/promises';
import { numberComparatorSchema, stringComparatorSchema } from '../spec/comparators.js';
import { duration, strict } from '../spec/fields.js';
import { UserError } from '../util/errors.js';
import { z } from '../util/zod.js';
import { firstNumberMismatch, firstStringMismatch } from './expect.js';
import { registerProbeType } from './registry.js';

const config = strict({
  url: z.url({ protocol: /^https?$/, error: (i) => `expected an http(s) URL, got ${JSON.stringify(i.input)}` }),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  timeout: duration.optional(),
});

const expect = strict({
  status: numberComparatorSchema.optional().describe('default: between 200..299'),
  latencyMs: numberComparatorSchema.optional(),
  body: stringComparatorSchema.optional(),
  headers: z.record(z.string(), stringComparatorSchema).optional(),
});

type Config = z.infer<typeof config>;
type Expect = z.infer<typeof expect>;

const DEFAULT_STATUS = { between: [200, 299] as [number, number] };

registerProbeType<Config, Expect>({
  type: 'http',
  summary: 'an HTTP request; expectations on status (default 2xx), latencyMs, body, headers',
  config,
  expect,
  async preflight({ url }) {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    try {
      await lookup(host);
    } catch {
      throw new UserError(`probe URL ${url}: host "${host}" does not resolve; check the URL`);
    }
  },
  async check(c, e, { timeoutMs, signal }) {
    const started = performance.now();
    try {
      const response = await fetch(c.url, {
        method: c.method,
        headers: c.headers,
        body: c.body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        redirect: 'manual',
      });
      const body = await response.text();
      const latencyMs = performance.now() - started;
      const mismatch =
        firstNumberMismatch([
          ['status', response.status, e.status ?? DEFAULT_STATUS],
          ['latencyMs', latencyMs, e.latencyMs],
        ]) ??
        firstStringMismatch([
          ['body', body, e.body],
          ...Object.entries(e.headers ?? {}).map(
            ([name, expected]) => [`header ${name}`, response.headers.get(name) ?? undefined, expected] as const,
          ),
        ] as Parameters<typeof firstStringMismatch>[0]);
      return { ok: mismatch === null, latencyMs, detail: mismatch ?? `${response.status} in ${Math.round(latencyMs)}ms` };
    } catch (error) {
      const latencyMs = performance.now() - started;
      return { ok: false, latencyMs, detail: fetchFailure(error, timeoutMs) };
    }
  },
});

function fetchFailure(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs}ms`;
  if (err.name === 'AbortError') return 'aborted';
  return err.cause?.code ?? err.cause?.message ?? err.message;
}
