/** Runs: start, dry-run, stop, list with filters, one run, its report in every format, its live events. */
import { dryRun } from '../../engine/dry-run.js';
import { newSeed } from '../../engine/rng.js';
import { instanceLabel } from '../../engine/target-instance.js';
import { getReportFormat, reportFormatNames } from '../../report/index.js';
import type { Verdict } from '../../report/types.js';
import { activeHalt, describeHalt } from '../../safety/halt.js';
import type { RunFilter } from '../../store/runs-store.js';
import { badRequest, conflict, forbidden, notFound } from '../errors.js';
import { Channel } from '../events.js';
import { decodeCursor, encodeCursor, jsonBody, limitParam, streamChannel } from '../http.js';
import { type ApiRoute, apiRoute, auditDetail, type Ctx, param, principalOf } from '../route.js';
import type { DaemonServices } from '../services.js';
import { plannedStepFields, planOrReject } from './plan-response.js';

const VERDICTS = ['passed', 'failed', 'aborted', 'error', 'interrupted', 'running'];
const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

export function refuseWhileHalted(d: Pick<DaemonServices, 'control'>): void {
  const halted = activeHalt(d.control);
  if (halted) throw conflict(`${describeHalt(halted)}; lift it (DELETE /api/v1/halt) before starting runs`);
}

function parseSeed(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** 32) {
    throw badRequest('seed: expected a whole number from 0 to 4294967295');
  }
  return value;
}

function isoParam(c: Ctx, name: string): string | undefined {
  const text = c.req.query(name);
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (!Number.isFinite(t)) throw badRequest(`${name} ${text}: expected a date or time such as 2026-03-01 or 2026-03-01T09:00:00Z`);
  return new Date(t).toISOString();
}

function runFilter(c: Ctx): RunFilter {
  const verdict = c.req.query('verdict');
  if (verdict !== undefined && !VERDICTS.includes(verdict)) throw badRequest(`verdict ${verdict}: expected one of ${VERDICTS.join(', ')}`);
  const trigger = c.req.query('trigger');
  if (trigger !== undefined && !['api', 'schedule', 'cli'].includes(trigger))
    throw badRequest(`trigger ${trigger}: expected api, schedule or cli`);
  return {
    experiment: c.req.query('experiment') || undefined,
    verdict: verdict as Verdict | 'running' | undefined,
    schedule: c.req.query('schedule') || undefined,
    trigger: trigger as RunFilter['trigger'],
    since: isoParam(c, 'since'),
    until: isoParam(c, 'until'),
    before: decodeCursor<{ startedAt: string; id: string }>(c.req.query('cursor')),
    limit: limitParam(c, 50, 500),
  };
}

export const runRoutes: ApiRoute[] = [
  apiRoute({
    method: 'GET',
    path: '/api/v1/runs',
    role: 'viewer',
    tag: 'runs',
    summary: 'Runs, newest first, with filters and keyset paging',
    query: [
      { name: 'experiment', description: 'only runs of this experiment' },
      { name: 'verdict', description: `one of ${VERDICTS.join(', ')}` },
      { name: 'schedule', description: 'only runs of this schedule' },
      { name: 'trigger', description: 'api, schedule or cli' },
      { name: 'since', description: 'started at or after (ISO date or time)' },
      { name: 'until', description: 'started before' },
      { name: 'cursor', description: 'the `next` of the previous page' },
      { name: 'limit', description: '1 to 500 (default 50)' },
    ],
    responses: { 200: 'a page of runs, and `next` when there are more', 400: 'a bad filter' },
    uses: ['runs', 'store'],
    handler: async (c, d) => {
      const filter = runFilter(c);
      const rows = await d.store.listRuns({ ...filter, limit: filter.limit + 1 });
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      const stopping = new Map(d.runs.list().map((r) => [r.runId, r.stoppedBy]));
      return c.json({
        runs: page.map((r) => ({ ...r, running: stopping.has(r.id), stoppedBy: stopping.get(r.id) ?? null })),
        next: rows.length > filter.limit && last ? encodeCursor({ startedAt: last.startedAt, id: last.id }) : null,
      });
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/runs',
    role: 'operator',
    tag: 'runs',
    action: 'run.start',
    summary: 'Start a run of a stored experiment, or of one given inline',
    description: 'Returns as soon as the run is recorded; follow it at /api/v1/runs/{id}/events. Refused while halted.',
    body: {
      type: 'json',
      description: '`{"experiment": NAME}` or `{"yaml": TEXT}`, and an optional `seed`',
      schema: {
        type: 'object',
        properties: { experiment: { type: 'string' }, yaml: { type: 'string' }, seed: { type: 'integer', minimum: 0 } },
        additionalProperties: false,
      },
    },
    responses: {
      202: 'started',
      403: 'outside the token scope',
      404: 'no such experiment',
      409: 'halted',
      422: 'invalid',
      503: 'shutting down',
    },
    uses: ['control', 'documents', 'runs'],
    handler: async (c, d) => {
      const body = await jsonBody(c);
      const seed = parseSeed(body.seed);
      const experiment = await d.documents.experimentOf(body);
      const principal = principalOf(c);
      d.documents.authorize(experiment, principal);
      refuseWhileHalted(d);
      const run = await d.runs.start(experiment, { trigger: 'api', actor: principal.user, schedule: null, scheduledFor: null }, { seed });
      auditDetail(c, `run ${run.runId} of ${experiment.name}`);
      return c.json(
        {
          runId: run.runId,
          experiment: run.experiment,
          startedAt: run.startedAt,
          links: {
            self: `/api/v1/runs/${run.runId}`,
            events: `/api/v1/runs/${run.runId}/events`,
            report: `/api/v1/runs/${run.runId}/report`,
          },
        },
        202,
      );
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/dry-run',
    role: 'operator',
    tag: 'runs',
    action: 'run.dry-run',
    summary: 'Say exactly what a run would inject where, and what the guards say now; change nothing',
    body: { type: 'json', description: '`{"experiment": NAME}` or `{"yaml": TEXT}`, and an optional `seed`' },
    responses: { 200: 'the plan and the guards', 403: 'outside the token scope', 422: 'invalid' },
    uses: ['control', 'documents'],
    handler: async (c, d) => {
      const body = await jsonBody(c);
      const experiment = await d.documents.experimentOf(body);
      d.documents.authorize(experiment, principalOf(c));
      const seed = parseSeed(body.seed) ?? newSeed();
      return planOrReject(async () => {
        const result = await dryRun(experiment, seed, d.control);
        const refused = result.guards.filter((g) => !g.ok).map((g) => g.guard);
        auditDetail(c, `${experiment.name}: ${refused.length ? `would be refused by ${refused.join(', ')}` : 'would proceed'}`);
        return c.json({
          experiment: experiment.name,
          seed,
          steps: result.plan.map((p) => ({
            ...plannedStepFields(p),
            durationMs: p.step.durationMs,
            candidates: p.candidates.map(instanceLabel),
            selected: p.selected.map(instanceLabel),
            actions: p.actions,
          })),
          guards: result.guards,
          stopConditions: result.stopConditions,
          wouldProceed: refused.length === 0,
        });
      });
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/runs/:id',
    role: 'viewer',
    tag: 'runs',
    summary: 'One run: where it came from, and its report once it has ended',
    responses: { 200: 'the run', 404: 'no such run' },
    uses: ['runs', 'store'],
    handler: async (c, d) => {
      const id = param(c, 'id');
      const row = await d.store.getRun(id);
      if (!row) throw notFound(`no run ${id}`);
      const active = d.runs.get(id);
      const report = row.verdict ? ((await d.store.getReport(id)) ?? null) : null;
      return c.json({ run: { ...row, running: Boolean(active), stoppedBy: active?.stoppedBy ?? null }, report });
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/runs/:id/stop',
    role: 'operator',
    tag: 'runs',
    action: 'run.stop',
    urgent: true,
    summary: 'Stop a run of this daemon: every fault is reverted and it ends interrupted',
    responses: {
      202: 'stopping',
      403: 'outside the token scope',
      404: 'no such run',
      409: 'it has ended, or another process runs it (use the halt switch)',
    },
    uses: ['documents', 'runs', 'store'],
    handler: async (c, d) => {
      const id = param(c, 'id');
      const principal = principalOf(c);
      const active = d.runs.get(id);
      if (!active) {
        const row = await d.store.getRun(id);
        if (!row) throw notFound(`no run ${id}`);
        if (row.verdict) throw conflict(`run ${id} has ended (${row.verdict})`);
        throw conflict(`run ${id} is run by another process; stop it there, or use the halt switch (POST /api/v1/halt)`);
      }
      if (principal.scope && active.origin.trigger === 'api' && active.origin.actor !== principal.user) {
        // a scoped token may stop its own runs, or runs of experiments within its scope
        const stored = await d.store.getExperiment(active.experiment).catch(() => undefined);
        if (!stored) throw forbidden(`run ${id} (${active.experiment}) is outside the token's scope`);
        d.documents.checkScope(await d.documents.experiment(active.experiment), principal);
      }
      d.runs.stop(id, principal.user);
      auditDetail(c, `run ${id} of ${active.experiment}`);
      return c.json({ runId: id, stopping: true }, 202);
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/runs/:id/report',
    role: 'viewer',
    tag: 'runs',
    summary: 'The report of an ended run, in any registered format',
    query: [{ name: 'format', description: `one of ${reportFormatNames().join(', ')} (default json)` }],
    responses: { 200: 'the report', 400: 'unknown format', 404: 'no such run', 409: 'the run has not ended' },
    uses: ['runs', 'store'],
    handler: async (c, d) => {
      const id = param(c, 'id');
      const name = c.req.query('format') ?? 'json';
      let format: ReturnType<typeof getReportFormat>;
      try {
        format = getReportFormat(name);
      } catch (error) {
        throw badRequest((error as Error).message);
      }
      const report = await d.store.getReport(id);
      if (!report) {
        if (d.runs.get(id)) throw conflict(`run ${id} has not ended; its report comes when it does`);
        throw notFound(`no ended run ${id}`);
      }
      const samples = name === 'html' ? await d.store.getSamples(id) : undefined;
      const text = format.render(report, { samples });
      c.header('Content-Type', CONTENT_TYPES[format.extension] ?? 'text/plain; charset=utf-8');
      if (c.req.query('download') !== undefined)
        c.header('Content-Disposition', `attachment; filename="${report.experiment.name}-${id}.${format.extension}"`);
      // the HTML report has its own inline style: it is shown sandboxed, with no script and no network
      if (name === 'html')
        c.header(
          'Content-Security-Policy',
          "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
        );
      return c.body(text);
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/runs/:id/samples',
    role: 'viewer',
    tag: 'runs',
    summary: 'The probe samples of an ended run (a running run streams them at /events)',
    responses: { 200: 'the samples', 404: 'no such run' },
    uses: ['store'],
    handler: async (c, d) => {
      const id = param(c, 'id');
      if (!(await d.store.getRun(id))) throw notFound(`no run ${id}`);
      return c.json({ samples: await d.store.getSamples(id) });
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/runs/:id/events',
    role: 'viewer',
    tag: 'runs',
    stream: true,
    summary: 'Live events of a run (server-sent events): timeline, sample, step, phase, then end',
    description: 'Reconnect with Last-Event-ID to get what was missed. An ended run replays its timeline and samples, then end.',
    responses: { 200: 'text/event-stream', 404: 'no such run' },
    uses: ['bus', 'store'],
    handler: async (c, d) => {
      const id = param(c, 'id');
      const live = d.bus.findRun(id);
      if (live) return streamChannel(c, live);
      const row = await d.store.getRun(id);
      if (!row) throw notFound(`no run ${id}`);
      // ended before this daemon knew it (or long ago): replay what the store has
      const replay = new Channel();
      const report = await d.store.getReport(id);
      for (const event of report?.timeline ?? []) replay.publish('timeline', event);
      for (const s of await d.store.getSamples(id))
        replay.publish('sample', { probe: s.probe, t: s.t, ok: s.ok, latencyMs: s.latencyMs, phase: s.phase });
      replay.close('end', { runId: id, experiment: row.experiment, verdict: row.verdict ?? 'error', reason: row.reason ?? '' });
      return streamChannel(c, replay);
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/events',
    role: 'viewer',
    tag: 'runs',
    stream: true,
    summary:
      "The daemon's live events (server-sent events): run-started, run-ended, gameday-started, gameday-ended, occurrence, halted, unhalted, schedule",
    responses: { 200: 'text/event-stream' },
    uses: ['bus'],
    handler: (c, d) => streamChannel(c, d.bus.daemon, { fromStart: false }),
  }),
];
