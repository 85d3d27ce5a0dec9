/** Schedules: stored `kind: Schedule` documents, their next runs, their history; pause, resume, run now. */
import { describeWindow } from '../../schedule/window.js';
import type { SchedulesStore, StoredSchedule } from '../../store/schedules-store.js';
import { conflict, notFound } from '../errors.js';
import { documentBody, limitParam } from '../http.js';
import { type ApiRoute, apiRoute, auditDetail, type Ctx, param, principalOf } from '../route.js';
import type { DaemonServices } from '../services.js';

/** What describing a schedule uses of the daemon: its scheduler, documents and runs, and the schedules of its store. */
type ScheduleServices = Pick<DaemonServices, 'scheduler' | 'documents' | 'runs'> & { readonly store: SchedulesStore };

export function upcomingOf(d: Pick<DaemonServices, 'scheduler'>, name: string, count = 5): string[] {
  return d.scheduler.status(name, count)?.nextRuns ?? [];
}

async function describe(d: ScheduleServices, s: StoredSchedule) {
  const status = d.scheduler.status(s.name, 5);
  let extra: Record<string, unknown> = {};
  try {
    const def = d.scheduler.definition(s.name) ?? d.documents.definitionOf(s);
    extra = {
      concurrencyPolicy: def.concurrencyPolicy,
      historyLimit: def.historyLimit,
      startingDeadlineMs: def.startingDeadlineMs,
      window: describeWindow(def.window) || null,
    };
  } catch {}
  const [last] = await d.store.listOccurrences(s.name, 1);
  return {
    name: s.name,
    labels: s.labels,
    cron: s.cron,
    timeZone: s.timeZone,
    experiment: s.experimentRef ?? `${s.name} (inline)`,
    inline: s.experimentRef === null,
    suspended: s.suspended,
    state: status?.state ?? 'invalid',
    error: status?.error ?? null,
    nextRuns: status?.nextRuns ?? [],
    lastScheduledAt: s.lastScheduledAt,
    lastOccurrence: last ?? null,
    activeRuns: d.runs
      .list()
      .filter((r) => r.origin.schedule === s.name)
      .map((r) => r.runId),
    ...extra,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
  };
}

async function stored(d: { readonly store: SchedulesStore }, name: string): Promise<StoredSchedule> {
  const schedule = await d.store.getSchedule(name);
  if (!schedule) throw notFound(`no schedule named ${name}; list them with GET /api/v1/schedules`);
  return schedule;
}

/** Pauses or resumes a schedule (404 when there is none) and answers with the schedule as it is now. */
async function setSuspended(
  c: Ctx,
  d: ScheduleServices & Pick<DaemonServices, 'bus'>,
  name: string,
  suspended: boolean,
): Promise<Response> {
  await stored(d, name);
  await d.store.setScheduleSuspended(name, suspended, principalOf(c).user);
  await d.scheduler.reload(name);
  d.bus.daemon.publish('schedule', { name, suspended });
  return c.json(await describe(d, await stored(d, name)));
}

const yamlBody = {
  type: 'yaml' as const,
  description: 'Schedule documents (YAML, or JSON)',
  schema: { $ref: '#/components/schemas/ScheduleDocument' },
};

export const scheduleRoutes: ApiRoute[] = [
  apiRoute({
    method: 'GET',
    path: '/api/v1/schedules',
    role: 'viewer',
    tag: 'schedules',
    summary: 'List the schedules with their state and next run times',
    responses: { 200: 'the schedules' },
    uses: ['documents', 'runs', 'scheduler', 'store'],
    handler: async (c, d) => c.json({ schedules: await Promise.all((await d.store.listSchedules()).map((s) => describe(d, s))) }),
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/schedules',
    role: 'admin',
    tag: 'schedules',
    action: 'schedule.create',
    summary: 'Store new schedules; they fire from now on',
    body: yamlBody,
    responses: {
      201: 'stored, with next run times',
      403: 'outside the token scope',
      409: 'a schedule of that name exists',
      422: 'invalid (a bad cron, a missing experiment)',
    },
    uses: ['documents', 'scheduler'],
    handler: async (c, d) => {
      const records = await d.documents.putSchedules(await documentBody(c), principalOf(c));
      for (const r of records) await d.scheduler.reload(r.name);
      auditDetail(c, records.map((r) => `${r.name} (${r.cron} ${r.timeZone})`).join(', '));
      return c.json({ schedules: records.map((r) => ({ name: r.name, nextRuns: upcomingOf(d, r.name) })) }, 201);
    },
  }),
  apiRoute({
    method: 'GET',
    path: '/api/v1/schedules/:name',
    role: 'viewer',
    tag: 'schedules',
    summary: 'One schedule: its YAML, state, next runs and recent occurrences',
    query: [{ name: 'limit', description: 'occurrences to list (default 20)' }],
    responses: { 200: 'the schedule', 404: 'no such schedule' },
    uses: ['documents', 'runs', 'scheduler', 'store'],
    handler: async (c, d) => {
      const s = await stored(d, param(c, 'name'));
      const occurrences = await d.store.listOccurrences(s.name, limitParam(c, 20, 1000));
      return c.json({ ...(await describe(d, s)), yaml: s.yaml, occurrences });
    },
  }),
  apiRoute({
    method: 'PUT',
    path: '/api/v1/schedules/:name',
    role: 'admin',
    tag: 'schedules',
    action: 'schedule.replace',
    summary: 'Replace a schedule (its history and last occurrence are kept; nothing in the past is replayed)',
    body: { ...yamlBody, description: 'one Schedule document named as in the path' },
    responses: { 200: 'replaced', 404: 'no such schedule', 422: 'invalid' },
    uses: ['documents', 'scheduler'],
    handler: async (c, d) => {
      const name = param(c, 'name');
      await d.documents.putSchedules(await documentBody(c), principalOf(c), name);
      await d.scheduler.reload(name);
      auditDetail(c, name);
      return c.json({ name, nextRuns: upcomingOf(d, name) });
    },
  }),
  apiRoute({
    method: 'DELETE',
    path: '/api/v1/schedules/:name',
    role: 'admin',
    tag: 'schedules',
    action: 'schedule.delete',
    summary: 'Delete a schedule (its runs stay in the history)',
    responses: { 204: 'deleted', 404: 'no such schedule' },
    uses: ['scheduler', 'store'],
    handler: async (c, d) => {
      const name = param(c, 'name');
      if (!(await d.store.deleteSchedule(name))) throw notFound(`no schedule named ${name}`);
      await d.scheduler.reload(name);
      auditDetail(c, name);
      return c.body(null, 204);
    },
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/schedules/:name/pause',
    role: 'admin',
    tag: 'schedules',
    action: 'schedule.pause',
    summary: 'Suspend a schedule: no run starts until it is resumed (a run going on is not stopped)',
    responses: { 200: 'suspended', 404: 'no such schedule' },
    uses: ['bus', 'documents', 'runs', 'scheduler', 'store'],
    handler: (c, d) => setSuspended(c, d, param(c, 'name'), true),
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/schedules/:name/resume',
    role: 'admin',
    tag: 'schedules',
    action: 'schedule.resume',
    summary: 'Resume a schedule from now on (what it missed while suspended is not caught up)',
    responses: { 200: 'resumed', 404: 'no such schedule' },
    uses: ['bus', 'documents', 'runs', 'scheduler', 'store'],
    handler: (c, d) => setSuspended(c, d, param(c, 'name'), false),
  }),
  apiRoute({
    method: 'POST',
    path: '/api/v1/schedules/:name/trigger',
    role: 'operator',
    tag: 'schedules',
    action: 'run.start',
    summary: "Run a schedule's experiment now (outside its cron; concurrencyPolicy Forbid still applies)",
    responses: {
      202: 'started',
      403: 'outside the token scope',
      404: 'no such schedule',
      409: 'halted, or Forbid and a run of it is going',
    },
    uses: ['control', 'documents', 'runs', 'store'],
    handler: async (c, d) => {
      const s = await stored(d, param(c, 'name'));
      const definition = d.documents.definitionOf(s);
      if (definition.concurrencyPolicy === 'Forbid') {
        const running = await d.store.unfinishedRunsOfSchedule(s.name);
        if (running.length) throw conflict(`concurrencyPolicy Forbid: run ${running.join(', ')} of schedule ${s.name} is still going`);
      }
      const experiment = await d.documents.scheduledExperiment(definition);
      const principal = principalOf(c);
      d.documents.authorize(experiment, principal);
      const { refuseWhileHalted } = await import('./runs.js');
      refuseWhileHalted(d);
      const run = await d.runs.start(experiment, { trigger: 'api', actor: principal.user, schedule: s.name, scheduledFor: null }, {});
      auditDetail(c, `run ${run.runId} of ${experiment.name} (schedule ${s.name})`);
      return c.json({ runId: run.runId, experiment: run.experiment, startedAt: run.startedAt }, 202);
    },
  }),
];
