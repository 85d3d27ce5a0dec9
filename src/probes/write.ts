/**
 * write probe (did we lose data?): every sample writes one numbered record through a command or an
 * HTTP request and logs whether it was acknowledged (exit 0, 2xx), refused, or left indeterminate
 * (timed out, connection reset after sending). After the run has recovered, `finish()` reads every
 * acknowledged and indeterminate record back, one by one, and reports the acknowledged writes that
 * were lost and the observed RPO (src/measure/data-loss.ts).
 *
 * Templates take `{seq}` (1, 2, ...), `{run}` (the run id, so records of two runs never mix) and `{t}`
 * (the write's start, epoch ms), in the command's words, the URL, the headers and the body.
 */

import { analyseWrites, type ReadState, type WriteOutcome, type WriteRecord } from '../measure/data-loss.js';
import { compareNumber, describeNumber, numberComparatorSchema } from '../spec/comparators.js';
import { argv, duration, strict } from '../spec/fields.js';
import { formatDuration } from '../util/duration.js';
import { runCommand } from '../util/run-command.js';
import { z } from '../util/zod.js';
import { firstNumberMismatch } from './expect.js';
import { registerProbeType } from './registry.js';
import type { ProbeRunInfo } from './types.js';

const PLACEHOLDERS = { seq: '1', run: 'run', t: '0' };

const templateUrl = z.string().refine(
  (url) => {
    try {
      return /^https?:$/.test(new URL(fill(url, PLACEHOLDERS)).protocol);
    } catch {
      return false;
    }
  },
  { error: (i) => `expected an http(s) URL (with {seq}, {run}, {t} placeholders), got ${JSON.stringify(i.input)}` },
);

const httpRequest = (defaultMethod: 'PUT' | 'GET') =>
  strict({
    url: templateUrl,
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default(defaultMethod),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.string().optional().describe('template of the record, e.g. {"seq": {seq}, "t": {t}}'),
  });

const exactlyOne = (v: { command?: unknown; http?: unknown }) => (v.command === undefined) !== (v.http === undefined);

const readSchema = strict({
  command: argv.optional().describe('exit 0: the record is there; exit 1: it is missing; anything else: unreadable'),
  http: httpRequest('GET').optional().describe('2xx: the record is there; 404 or 410: missing; anything else: unreadable'),
  timeout: duration.default(5000).describe('time limit of one read'),
  concurrency: z.number().int().min(1).max(64).default(8),
})
  .refine(exactlyOne, { message: 'expected exactly one of command, http (how to read one record back)' })
  .refine((r) => JSON.stringify(r.command ?? r.http ?? '').includes('{seq}'), {
    message: 'the read must name the record: put {seq} in its command or URL',
  });

const config = strict({
  command: argv.optional().describe('writes one record; exit 0 acknowledges it'),
  http: httpRequest('PUT').optional().describe('writes one record; a 2xx answer acknowledges it'),
  read: readSchema.describe('reads one record back after the run'),
  timeout: duration.optional().describe('time limit of one write (default: the probe timeout)'),
})
  .refine(exactlyOne, { message: 'expected exactly one of command, http (how to write one record)' })
  .refine((w) => JSON.stringify(w.command ?? w.http ?? '').includes('{seq}'), {
    message: 'each write must be a new record: put {seq} in its command, URL or body',
  });

const expect = strict({
  latencyMs: numberComparatorSchema.optional().describe('of each write'),
  lost: numberComparatorSchema.optional().describe('lost acknowledged writes; default 0'),
  rpoMs: numberComparatorSchema.optional().describe('observed RPO in ms, e.g. { lte: 1000 }'),
});

type Config = z.infer<typeof config>;
type Expect = z.infer<typeof expect>;

/** The records one run wrote, held in the run's copy of the config. */
class WriteLog {
  readonly records: WriteRecord[] = [];
  private next = 1;
  constructor(readonly run: ProbeRunInfo) {}
  take(): number {
    return this.next++;
  }
}

const LOG = Symbol('write-log');
type RunConfig = Config & { [LOG]?: WriteLog };

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(seq|run|t)\}/g, (_, key: string) => values[key] ?? '');
}

interface Attempt {
  outcome: WriteOutcome | ReadState;
  detail: string;
}

/** Connection errors that prove the request never reached the server; anything else may have. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

async function sendHttp(
  request: NonNullable<Config['http']>,
  values: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ status: number } | { error: string; sent: boolean }> {
  try {
    const response = await fetch(fill(request.url, values), {
      method: request.method,
      headers: Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k, fill(v, values)])),
      body: request.body === undefined ? undefined : fill(request.body, values),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await response.arrayBuffer();
    return { status: response.status };
  } catch (error) {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError') return { error: `timed out after ${timeoutMs}ms`, sent: true };
    const code = err.cause?.code ?? err.cause?.message ?? err.message;
    return { error: code, sent: !NEVER_SENT.has(err.cause?.code ?? '') };
  }
}

async function write(c: Config, values: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<Attempt> {
  if (c.command) {
    const result = await runCommand(
      c.command.map((w) => fill(w, values)),
      { timeoutMs, signal },
    );
    if (result.spawnError) return { outcome: 'fail', detail: result.spawnError };
    if (result.timedOut) return { outcome: 'info', detail: `timed out after ${timeoutMs}ms (killed): indeterminate` };
    if (result.exitCode === 0) return { outcome: 'ok', detail: 'acknowledged' };
    if (result.exitCode === null) return { outcome: 'info', detail: `killed by ${result.signal}: indeterminate` };
    return { outcome: 'fail', detail: `refused: exit ${result.exitCode}` };
  }
  const answer = await sendHttp(c.http as NonNullable<Config['http']>, values, timeoutMs, signal);
  if ('error' in answer)
    return { outcome: answer.sent ? 'info' : 'fail', detail: answer.sent ? `${answer.error}: indeterminate` : answer.error };
  if (answer.status >= 200 && answer.status < 300) return { outcome: 'ok', detail: `acknowledged (${answer.status})` };
  return { outcome: 'fail', detail: `refused: ${answer.status}` };
}

async function read(r: Config['read'], values: Record<string, string>, signal: AbortSignal): Promise<Attempt> {
  if (r.command) {
    const result = await runCommand(
      r.command.map((w) => fill(w, values)),
      { timeoutMs: r.timeout, signal },
    );
    if (result.exitCode === 0) return { outcome: 'present', detail: 'present' };
    if (result.exitCode === 1) return { outcome: 'missing', detail: 'missing' };
    const why = result.spawnError ?? (result.timedOut ? `timed out after ${r.timeout}ms` : `exit ${result.exitCode ?? result.signal}`);
    return { outcome: 'unreadable', detail: why };
  }
  const answer = await sendHttp(r.http as NonNullable<Config['read']['http']>, values, r.timeout, signal);
  if ('error' in answer) return { outcome: 'unreadable', detail: answer.error };
  if (answer.status >= 200 && answer.status < 300) return { outcome: 'present', detail: 'present' };
  if (answer.status === 404 || answer.status === 410) return { outcome: 'missing', detail: 'missing' };
  return { outcome: 'unreadable', detail: `answered ${answer.status}` };
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

registerProbeType<RunConfig, Expect>({
  type: 'write',
  summary: 'writes numbered records (command or HTTP) and reads them back after the run: lost acknowledged writes and observed RPO',
  config: config as z.ZodType<RunConfig>,
  expect,
  executes: (c) => c.command !== undefined || c.read.command !== undefined,
  forRun(c, run) {
    return { ...c, [LOG]: new WriteLog(run) };
  },
  async check(c, e, { timeoutMs, signal }) {
    // outside a run (a dry run's start-of-test probe) the records go to a log nobody reads back
    const log = c[LOG] ?? new WriteLog({ runId: 'dry-run', probe: 'write', intervalMs: 0, timeoutMs });
    const seq = log.take();
    const t = Date.now();
    const started = performance.now();
    const values = { seq: String(seq), run: log.run.runId, t: String(t) };
    const attempt = await write(c, values, c.timeout ?? timeoutMs, signal);
    const latencyMs = performance.now() - started;
    // a write cut short when sampling stopped may have landed: its fate is unknown
    const outcome: WriteOutcome = signal.aborted && attempt.outcome !== 'ok' ? 'info' : (attempt.outcome as WriteOutcome);
    log.records.push({ seq, t, ackAt: outcome === 'ok' ? Math.round(t + latencyMs) : null, outcome });
    const mismatch = outcome === 'ok' ? firstNumberMismatch([['latencyMs', latencyMs, e.latencyMs]]) : null;
    return {
      ok: outcome === 'ok' && mismatch === null,
      latencyMs,
      detail: `seq ${seq} ${mismatch ?? attempt.detail}${outcome === 'ok' && !mismatch ? ` in ${Math.round(latencyMs)}ms` : ''}`,
    };
  },
  async finish(c, e, { interruptedAt, signal }) {
    const log = c[LOG];
    if (!log) return { summary: 'no writes', failure: null };
    const toRead = log.records.filter((r) => r.outcome !== 'fail');
    const reads = new Map<number, ReadState>();
    let lastError = '';
    await eachLimited(toRead, c.read.concurrency, async (record) => {
      if (signal.aborted) return void reads.set(record.seq, 'unreadable');
      const attempt = await read(c.read, { seq: String(record.seq), run: log.run.runId, t: String(record.t) }, signal);
      if (attempt.outcome === 'unreadable') lastError = attempt.detail;
      reads.set(record.seq, attempt.outcome as ReadState);
    });
    const loss = analyseWrites(log.run.probe, log.records, reads, interruptedAt, log.run.intervalMs);
    const rpo = loss.rpoMs === null ? '' : `, observed RPO ${formatDuration(loss.rpoMs)} (± ${formatDuration(loss.rpoResolutionMs)})`;
    const summary =
      `${log.run.probe}: ${loss.written} writes, ${loss.acknowledged} acknowledged, ${loss.lost} lost` +
      `${loss.indeterminate ? `, ${loss.indeterminate} indeterminate` : ''}${loss.unreadable ? `, ${loss.unreadable} unreadable` : ''}${rpo}`;
    const failures: string[] = [];
    const lostExpected = e.lost ?? { eq: 0 };
    if (!compareNumber(loss.lost, lostExpected)) {
      const seqs = loss.lostSeqs.join(', ') + (loss.lost > loss.lostSeqs.length ? ', ...' : '');
      failures.push(`${loss.lost} acknowledged writes lost (seq ${seqs}), expected lost ${describeNumber(lostExpected)}`);
    }
    if (e.rpoMs && loss.rpoMs !== null && !compareNumber(loss.rpoMs, e.rpoMs)) {
      failures.push(`observed RPO ${formatDuration(loss.rpoMs)}, expected rpoMs ${describeNumber(e.rpoMs)}`);
    }
    if (loss.unreadable) failures.push(`${loss.unreadable} records could not be read back (${lastError}): durability not verified`);
    return {
      dataLoss: loss,
      summary,
      failure: failures.length ? `write probe ${log.run.probe}: ${failures.join('; ')}` : null,
    };
  },
});
